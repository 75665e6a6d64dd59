package dev.janus.export;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Interpreter;
import dev.janus.core.ops.ExecContext;
import dev.janus.export.proto.Onnx.GraphProto;
import dev.janus.export.proto.Onnx.ModelProto;
import dev.janus.export.proto.Onnx.NodeProto;
import dev.janus.export.proto.Onnx.ValueInfoProto;
import dev.janus.core.Grad;
import dev.janus.layers.Input;
import dev.janus.layers.Sequential;
import dev.janus.core.JanusException;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.NNSequential;
import dev.janus.eager.nn.ReLU;
import dev.janus.layers.core.Dense;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Quantized files run in Janus itself (QuantizeLinear, QLinearMatMul, ConvInteger, ... as ops on
 * int8/uint8 storage) against ONNX Runtime on the same files: the quantizer's QDQ, QOperator and
 * dynamic forms of the MLP, the Keras-style and PyTorch-style CNNs and the LSTM of
 * resources/quant (see OnnxQuantizerTest), on their held-out samples. Every integer tensor of the
 * graph is made an output of the model for the comparison, so each must hold ONNX Runtime's
 * integers, all of them (a value one step off, where float rounding could tip it, is counted and
 * fails the test too), and the model's float outputs agree to float32 rounding. The compiled (Keras-style) and eager (PyTorch-style)
 * front ends run the imported quantized models as the interpreter does.
 */
class QuantizedImportTest {
    /** The ops whose outputs are integers. */
    private static final Set<String> INTEGER_OPS = Set.of("QuantizeLinear", "DynamicQuantizeLinear", "QLinearMatMul", "QLinearConv",
            "MatMulInteger", "ConvInteger");

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = QuantizedImportTest.class.getResourceAsStream("/quant/" + name)) {
            if (in == null) throw new IOException("missing test resource quant/" + name);
            return in.readAllBytes();
        }
    }

    /** The samples of a resource model (float32, little-endian), as OnnxQuantizerTest reads them; shape from the model's input. */
    private static Tensor samples(String model, String which, int... sampleShape) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(resource(model + "_" + which + ".bin")).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.remaining() / 4];
        b.asFloatBuffer().get(v);
        int per = 1;
        for (int d : sampleShape) per *= d;
        int[] dims = new int[sampleShape.length + 1];
        dims[0] = v.length / per;
        System.arraycopy(sampleShape, 0, dims, 1, sampleShape.length);
        return Tensor.of(v, dims);
    }

    /** The model with every integer tensor (and the first output of each integer op) added to its outputs. */
    static byte[] withIntegerOutputs(byte[] model) throws IOException {
        ModelProto m = ModelProto.parseFrom(model);
        GraphProto.Builder g = m.getGraph().toBuilder();
        Set<String> outputs = new java.util.HashSet<>();
        for (ValueInfoProto v : g.getOutputList()) outputs.add(v.getName());
        for (NodeProto n : m.getGraph().getNodeList()) {
            if (!INTEGER_OPS.contains(n.getOpType())) continue;
            String name = n.getOutput(0);
            if (outputs.add(name)) g.addOutput(ValueInfoProto.newBuilder().setName(name));
        }
        return m.toBuilder().setGraph(g).build().toByteArray();
    }

    /** What one comparison found: a line describing it, and the largest difference of a float output. */
    private record Comparison(String line, double worstFloat) {}

    /** Both runtimes on the quantized model; every integer must be ONNX Runtime's. */
    private static Comparison compare(String name, byte[] quantized, Tensor x) throws IOException {
        byte[] model = withIntegerOutputs(quantized);
        Map<String, Tensor> ort;
        try (OnnxRuntimeModel session = OnnxRuntimeModel.load(model)) {
            Map<String, Tensor> feed = new LinkedHashMap<>();
            feed.put(session.inputs().keySet().iterator().next(), x);
            ort = session.run(feed);
        }
        Graph g = OnnxImporter.read(model);
        List<Tensor> janus = Interpreter.run(g, List.of(x), new ExecContext(new Generator(0)));
        List<String> names = new ArrayList<>(ort.keySet());
        assertEquals(names.size(), janus.size(), name + ": outputs");
        int integers = 0;
        long elements = 0, off = 0;
        double worstFloat = 0;
        for (int k = 0; k < names.size(); k++) {
            Tensor want = ort.get(names.get(k)), got = janus.get(k);
            assertEquals(want.dtype(), got.dtype(), name + ": the dtype of " + names.get(k));
            assertEquals(want.shape(), got.shape(), name + ": the shape of " + names.get(k));
            if (want.dtype().isInteger()) {
                integers++;
                for (int i = 0; i < want.numel(); i++) {
                    long d = Math.abs(want.readLong(i) - got.readLong(i));
                    assertTrue(d <= 1, name + ": " + names.get(k) + "[" + i + "] is " + got.readLong(i) + ", ONNX Runtime's " + want.readLong(i));
                    elements++;
                    if (d != 0) off++;
                }
            } else {
                for (int i = 0; i < want.numel(); i++) worstFloat = Math.max(worstFloat, Math.abs(want.readDouble(i) - got.readDouble(i)));
            }
        }
        assertTrue(integers > 0, name + ": no integer tensor was compared");
        String line = String.format(Locale.ROOT, "%s: %d integer tensors, %d elements, %d one step off; float outputs differ by at most %.3g",
                name, integers, elements, off, worstFloat);
        assertEquals(0, off, line);
        return new Comparison(line, worstFloat);
    }

    private static void everyForm(String name, Tensor cal, Tensor x, double floatTolerance) throws IOException {
        byte[] model = resource(name + ".onnx");
        List<QuantizeOptions> forms = List.of(QuantizeOptions.staticQuantization(cal),
                QuantizeOptions.staticQuantization(cal).format(QuantizeOptions.Format.QOPERATOR),
                QuantizeOptions.staticQuantization(cal).activations("int8"),
                QuantizeOptions.dynamic());
        for (QuantizeOptions o : forms) {
            Comparison c = compare(name + ", " + o, OnnxQuantizer.quantize(model, o), x);
            assertTrue(c.worstFloat() <= floatTolerance, c.line());
        }
    }

    @Test
    void mlp() throws IOException {
        everyForm("mlp", samples("mlp", "cal", 4), samples("mlp", "x", 4), 1e-6);
    }

    @Test
    void cnns() throws IOException {
        everyForm("cnn_keras", samples("cnn_keras", "cal", 8, 8, 1), samples("cnn_keras", "x", 8, 8, 1), 1e-5);
        everyForm("cnn_eager", samples("cnn_eager", "cal", 1, 8, 8), samples("cnn_eager", "x", 1, 8, 8), 1e-5);
    }

    @Test
    void lstm() throws IOException {
        everyForm("lstm", samples("lstm", "cal", 6, 5), samples("lstm", "x", 6, 5), 1e-5);
    }

    /** ModelExport's quantize option writes the int8 file of either front end's model: QDQ with int8 weights, smaller, close to the float model in ONNX Runtime. */
    @Test
    void modelExportWritesTheQuantizedModel(@TempDir Path dir) throws IOException {
        Generator.manualSeed(4);
        Sequential keras = new Sequential(new Input(4), new Dense(256, "relu"), new Dense(128, "relu"), new Dense(3));
        Tensor x = Tensor.normal(0, 1, DType.FLOAT32, new Generator(9), 100, 4);
        Path f = ModelExport.toOnnx(keras, dir.resolve("f.onnx"), ExportOptions.defaults());
        Path q = ModelExport.toOnnx(keras, dir.resolve("q.onnx"), ExportOptions.defaults().quantize(QuantizeOptions.staticQuantization(x)));
        Set<String> ops = new java.util.TreeSet<>();
        for (NodeProto n : ModelProto.parseFrom(Files.readAllBytes(q)).getGraph().getNodeList()) ops.add(n.getOpType());
        assertTrue(ops.contains("QuantizeLinear") && ops.contains("DequantizeLinear"), ops.toString());
        assertTrue(Files.size(q) < Files.size(f), Files.size(q) + " bytes int8, " + Files.size(f) + " float");
        Tensor want = keras.predict(x);
        try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(q)) {
            Tensor got = ort.run(x).get(0);
            double err = 0, scale = 0;
            for (int i = 0; i < want.numel(); i++) {
                err = Math.max(err, Math.abs(want.readDouble(i) - got.readDouble(i)));
                scale = Math.max(scale, Math.abs(want.readDouble(i)));
            }
            assertTrue(err < 0.05 * scale, "int8 error " + err + " of " + scale);
        }
        NNSequential eager = new NNSequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
        Path e = ModelExport.toOnnx(eager, x, dir.resolve("e.onnx"), ExportOptions.defaults().quantize(QuantizeOptions.dynamic()));
        assertTrue(Files.readString(e, java.nio.charset.StandardCharsets.ISO_8859_1).contains("MatMulInteger"));
        JanusException bad = assertThrows(JanusException.class, () -> ModelExport.toOnnx(keras, dir.resolve("x.onnx"),
                ExportOptions.defaults().externalData(true).quantize(QuantizeOptions.dynamic())));
        assertTrue(bad.getMessage().contains("externalData"), bad.getMessage());
        assertTrue(!Files.exists(dir.resolve("x.onnx")));
    }

    /** An imported quantized model in a Sequential (through the compiler) and as an eager module: the interpreter's numbers exactly. */
    @Test
    void bothFrontEndsRunQuantizedModels() throws IOException {
        Tensor cal = samples("cnn_eager", "cal", 1, 8, 8), x = samples("cnn_eager", "x", 1, 8, 8);
        for (QuantizeOptions o : List.of(QuantizeOptions.staticQuantization(cal).format(QuantizeOptions.Format.QOPERATOR), QuantizeOptions.dynamic())) {
            byte[] q = OnnxQuantizer.quantize(resource("cnn_eager.onnx"), o);
            Tensor want = Interpreter.run(OnnxImporter.read(q), List.of(x), new ExecContext(new Generator(0))).get(0);
            Sequential compiled = new Sequential(new Input(1, 8, 8), new OnnxLayer(OnnxImporter.read(q)));
            assertArrayEquals(want.toFloatArray(), compiled.predict(x).toFloatArray(), o + ", compiled");
            OnnxModule eager = new OnnxModule(OnnxImporter.read(q));
            try (Grad.Scope ignored = Grad.noGrad()) {
                assertArrayEquals(want.toFloatArray(), eager.forward(x).toFloatArray(), o + ", eager");
            }
        }
    }
}
