package dev.janus.export;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.io.Json;
import dev.janus.core.onnx.OnnxException;
import dev.janus.core.quant.Calibrator;
import dev.janus.export.proto.Onnx.ModelProto;
import dev.janus.export.proto.Onnx.NodeProto;
import dev.janus.export.proto.Onnx.TensorProto;
import dev.janus.layers.core.Dense;
import dev.janus.layers.Input;
import dev.janus.layers.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The quantizer on models of both front ends, against onnxruntime.quantization on the same models
 * and data: every form loads and runs in ONNX Runtime, holds the ops it should and no float weights,
 * and its outputs are about as close to the float model's as ONNX Runtime's own quantizer gets
 * (resources/quant: the Janus-exported float models with random weights, the calibration and
 * held-out samples, and make_reference.py, which wrote reference.json). The float models are Janus's
 * exports of a Keras-style MLP (Dense 16 relu, 8 relu, 3 softmax; seed 1), CNN (Conv2D 4x3 same
 * relu, MaxPooling2D, Dense 5; seed 2) and LSTM (8 units, Dense 4; seed 3) and a PyTorch-style CNN
 * (Conv2d(1, 4, 3, 1, 1), ReLU, MaxPool2d(2), Linear(64, 5); seed 4, traced). Accuracy on trained
 * models is the examples' business.
 */
class OnnxQuantizerTest {
    private static final QuantizeOptions.Format QOP = QuantizeOptions.Format.QOPERATOR;

    private static Sequential kerasMlp() {
        Generator.manualSeed(1);
        return new Sequential(new Input(4), new Dense(16, "relu"), new Dense(8, "relu"), new Dense(3, "softmax"));
    }

    private static byte[] export(Sequential m) {
        return OnnxExporter.toBytes(m.inferenceGraph(), ExportOptions.defaults().inputNames("input"));
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = OnnxQuantizerTest.class.getResourceAsStream("/quant/" + name)) {
            if (in == null) throw new IOException("missing test resource quant/" + name);
            return in.readAllBytes();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> reference(String model) throws IOException {
        Map<String, Object> all = (Map<String, Object>) Json.parse(new String(resource("reference.json"), StandardCharsets.UTF_8));
        return (Map<String, Object>) all.get(model);
    }

    @SuppressWarnings("unchecked")
    private static Tensor samples(String model, String which) throws IOException {
        List<Number> shape = (List<Number>) reference(model).get(which.equals("cal") ? "calibration_shape" : "input_shape");
        int[] dims = shape.stream().mapToInt(Number::intValue).toArray();
        ByteBuffer b = ByteBuffer.wrap(resource(model + "_" + which + ".bin")).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.remaining() / 4];
        b.asFloatBuffer().get(v);
        return Tensor.of(v, dims);
    }

    private static Tensor run(byte[] model, Tensor x) {
        try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(model)) {
            return ort.run(x).get(0);
        }
    }

    private static Set<String> ops(byte[] model) throws Exception {
        Set<String> ops = new TreeSet<>();
        for (NodeProto n : ModelProto.parseFrom(model).getGraph().getNodeList()) ops.add(n.getOpType());
        return ops;
    }

    /** No Conv, MatMul, Gemm, LSTM or GRU reads a float initializer as its weights: every weight is stored int8. */
    private static void noFloatWeights(byte[] model) throws Exception {
        var graph = ModelProto.parseFrom(model).getGraph();
        Set<String> floats = new TreeSet<>();
        for (TensorProto t : graph.getInitializerList()) if (t.getDataType() == 1) floats.add(t.getName());
        for (NodeProto n : graph.getNodeList()) {
            if (!Set.of("Conv", "MatMul", "Gemm", "LSTM", "GRU").contains(n.getOpType())) continue;
            for (int i = 1; i <= (n.getOpType().equals("LSTM") || n.getOpType().equals("GRU") ? 2 : 1); i++) {
                assertTrue(!floats.contains(n.getInput(i)), n.getOpType() + " reads the float weight " + n.getInput(i));
            }
        }
    }

    /**
     * Quantizes the resource model {@code name} in the form {@code form} (as reference.json names it),
     * runs it in ONNX Runtime on the held-out samples and holds its error (largest, relative to the float
     * outputs' largest magnitude) to ONNX Runtime's own quantizer's on the same model and data: at most
     * 1.25 times it plus one percent (a step of a different scale here and there).
     */
    @SuppressWarnings("unchecked")
    private static void againstOnnxRuntime(String name, String form, QuantizeOptions options, Set<String> mustHave) throws Exception {
        byte[] model = resource(name + ".onnx");
        byte[] q = OnnxQuantizer.quantize(model, options);
        Set<String> ops = ops(q);
        assertTrue(ops.containsAll(mustHave), name + ", " + options + ": expected " + mustHave + " among " + ops);
        noFloatWeights(q);
        Tensor x = samples(name, "x");
        Tensor f = run(model, x), i8 = run(q, x);
        double err = 0, scale = 0;
        for (int k = 0; k < f.numel(); k++) {
            err = Math.max(err, Math.abs(f.readDouble(k) - i8.readDouble(k)));
            scale = Math.max(scale, Math.abs(f.readDouble(k)));
        }
        double janus = err / scale, ort = ((Map<String, Number>) reference(name).get("onnxruntime_error")).get(form).doubleValue();
        assertTrue(janus <= 1.25 * ort + 0.01, name + ", " + options + ": error " + janus + ", ONNX Runtime's quantizer " + ort);
    }

    private static QuantizeOptions calibrated(String name) throws IOException {
        return QuantizeOptions.staticQuantization(samples(name, "cal"));
    }

    @Test
    void mlpInEveryForm() throws Exception {
        againstOnnxRuntime("mlp", "qdq minmax uint8", calibrated("mlp"), Set.of("QuantizeLinear", "DequantizeLinear", "MatMul"));
        againstOnnxRuntime("mlp", "qoperator minmax uint8", calibrated("mlp").format(QOP), Set.of("QLinearMatMul"));
        againstOnnxRuntime("mlp", "qdq entropy int8", calibrated("mlp").activations("int8").calibration(Calibrator.entropy()),
                Set.of("QuantizeLinear"));
        againstOnnxRuntime("mlp", "dynamic", QuantizeOptions.dynamic(), Set.of("DynamicQuantizeLinear", "MatMulInteger"));
    }

    @Test
    void cnnsOfBothFrontEnds() throws Exception {
        againstOnnxRuntime("cnn_keras", "qdq minmax uint8", calibrated("cnn_keras"), Set.of("QuantizeLinear", "Conv"));
        againstOnnxRuntime("cnn_keras", "qoperator percentile99.99 uint8", calibrated("cnn_keras").format(QOP).calibration(Calibrator.percentile(99.99)),
                Set.of("QLinearConv", "QLinearMatMul"));
        againstOnnxRuntime("cnn_keras", "dynamic", QuantizeOptions.dynamic(), Set.of("ConvInteger", "MatMulInteger"));
        againstOnnxRuntime("cnn_eager", "qdq minmax uint8", calibrated("cnn_eager"), Set.of("QuantizeLinear", "Conv", "Gemm"));
        againstOnnxRuntime("cnn_eager", "qoperator minmax uint8", calibrated("cnn_eager").format(QOP), Set.of("QLinearConv", "QLinearMatMul"));
        againstOnnxRuntime("cnn_eager", "dynamic", QuantizeOptions.dynamic(), Set.of("ConvInteger", "MatMulInteger"));
    }

    @Test
    void lstmWeightsGoInt8() throws Exception {
        againstOnnxRuntime("lstm", "dynamic", QuantizeOptions.dynamic(), Set.of("LSTM", "DequantizeLinear", "MatMulInteger"));
        againstOnnxRuntime("lstm", "qdq minmax uint8", calibrated("lstm"), Set.of("LSTM", "QuantizeLinear"));
    }

    /** int8 weights: more than 3.5 times smaller once the weights dominate the file. */
    @Test
    void fileShrinks(@TempDir Path dir) {
        Generator.manualSeed(5);
        Sequential m = new Sequential(new Input(64), new Dense(256, "relu"), new Dense(128, "relu"), new Dense(10));
        byte[] f = export(m);
        byte[] q = OnnxQuantizer.quantize(f, QuantizeOptions.staticQuantization(Tensor.normal(0, 1, DType.FLOAT32, new Generator(18), 100, 64)));
        assertTrue(f.length > 3.5 * q.length, f.length + " bytes float, " + q.length + " int8");
        Path in = dir.resolve("m.onnx"), out = dir.resolve("m.int8.onnx");
        OnnxExporter.save(m.inferenceGraph(), in, ExportOptions.defaults());
        OnnxQuantizer.quantize(in, out, QuantizeOptions.dynamic());
        assertTrue(Files.isRegularFile(out));
    }

    @Test
    void badInputIsAClearError() throws Exception {
        byte[] m = resource("mlp.onnx");
        Tensor four = samples("mlp", "cal");
        OnnxException e = assertThrows(OnnxException.class, () -> OnnxQuantizer.quantize(m, QuantizeOptions.staticQuantization(four, four)));
        assertTrue(e.getMessage().contains("1 inputs") && e.getMessage().contains("2"), e.getMessage());
        e = assertThrows(OnnxException.class, () -> OnnxQuantizer.quantize(m,
                QuantizeOptions.staticQuantization(Tensor.normal(0, 1, DType.FLOAT32, new Generator(1), 10, 5))));
        assertTrue(e.getMessage().contains("calibration"), e.getMessage());
        e = assertThrows(OnnxException.class, () -> OnnxQuantizer.quantize(new byte[] {1, 2, 3}, QuantizeOptions.dynamic()));
        assertTrue(e.getMessage().contains("not an ONNX model"), e.getMessage());
        ModelProto parsed = ModelProto.parseFrom(m);
        ModelProto opset12 = parsed.toBuilder().setOpsetImport(0, parsed.getOpsetImport(0).toBuilder().setVersion(12)).build();
        e = assertThrows(OnnxException.class, () -> OnnxQuantizer.quantize(opset12, QuantizeOptions.dynamic()));
        assertTrue(e.getMessage().contains("opset 13"), e.getMessage());

        // Non-finite calibration data: refused, naming the input and the sample.
        float[] v = four.toFloatArray();
        v[4 * 7 + 2] = Float.NaN;
        JanusException nan = assertThrows(JanusException.class, () -> QuantizeOptions.staticQuantization(Tensor.of(v, 200, 4)));
        assertTrue(nan.getMessage().contains("NaN") && nan.getMessage().contains("sample 7"), nan.getMessage());
        v[4 * 7 + 2] = Float.POSITIVE_INFINITY;
        nan = assertThrows(JanusException.class, () -> QuantizeOptions.staticQuantization(Tensor.of(v, 200, 4)));
        assertTrue(nan.getMessage().contains("Infinity"), nan.getMessage());

        // An op Janus cannot run: static quantization (which runs the float model) names it.
        NodeProto last = parsed.getGraph().getNode(parsed.getGraph().getNodeCount() - 1);
        ModelProto odd = parsed.toBuilder().setGraph(parsed.getGraph().toBuilder()
                .setNode(parsed.getGraph().getNodeCount() - 1, last.toBuilder().setOpType("NoSuchOp"))).build();
        e = assertThrows(OnnxException.class, () -> OnnxQuantizer.quantize(odd, QuantizeOptions.staticQuantization(four)));
        assertTrue(e.getMessage().contains("NoSuchOp"), e.getMessage());

        // A model with nothing to quantize.
        ModelProto none = parsed.toBuilder().setGraph(parsed.getGraph().toBuilder().clearNode()
                .addNode(NodeProto.newBuilder().setOpType("Identity").addInput("input").addOutput(parsed.getGraph().getOutput(0).getName()))).build();
        e = assertThrows(OnnxException.class, () -> OnnxQuantizer.quantize(none, QuantizeOptions.dynamic()));
        assertTrue(e.getMessage().contains("no Conv, MatMul, Gemm"), e.getMessage());
        assertEquals(ModelProto.parseFrom(m), parsed, "the input model is left as it was");
    }
}
