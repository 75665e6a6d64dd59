package dev.janus.benchmarks;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.quant.IntegerMatMul;
import dev.janus.examples.DigitsCnn;
import dev.janus.examples.DigitsData;
import dev.janus.export.ExportOptions;
import dev.janus.export.OnnxExporter;
import dev.janus.export.OnnxImporter;
import dev.janus.export.OnnxLayer;
import dev.janus.export.OnnxQuantizer;
import dev.janus.export.OnnxRuntimeModel;
import dev.janus.export.QuantizeOptions;
import dev.janus.export.proto.Onnx.GraphProto;
import dev.janus.export.proto.Onnx.ModelProto;
import dev.janus.export.proto.Onnx.NodeProto;
import dev.janus.export.proto.Onnx.OperatorSetIdProto;
import dev.janus.export.proto.Onnx.TensorProto;
import dev.janus.export.proto.Onnx.TensorShapeProto;
import dev.janus.export.proto.Onnx.TypeProto;
import dev.janus.export.proto.Onnx.ValueInfoProto;
import dev.janus.layers.Input;
import dev.janus.layers.Sequential;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * int8 inference, side by side with ONNX Runtime (one intra-op thread, as Janus's kernels run here):
 * <ul>
 *   <li>gemm_janusInt8: Janus's integer product ({@link IntegerMatMul}: the matmul_integer op,
 *       int32 accumulation, exact through OpenBLAS's float32 GEMM) of a uint8 batch [64, 512] and
 *       int8 weights [512, 512] with per-column zero points; peers: ONNX Runtime's MatMulInteger on
 *       the same bytes (onnxruntimeInt8, MLAS's AVX-512 VNNI kernel here) and its float MatMul of
 *       the same shapes (onnxruntimeFloat).</li>
 *   <li>digitsCnn_janusInt8Qdq / janusInt8Qoperator: the examples' Keras-style digits CNN (untrained
 *       weights; the cost does not depend on them) quantized by Janus (static, calibrated on the
 *       digits), run by ONNX Runtime on the 360 test images; peer: ONNX Runtime running the float
 *       model (onnxruntimeFloat). The ratio is ONNX Runtime's int8 speed-up on Janus's files.</li>
 *   <li>digitsCnnInt8_janusQoperator / janusQdq: Janus itself running those two files (imported, in
 *       a Sequential through the compiler: QLinearConv/QLinearMatMul, or QuantizeLinear and
 *       DequantizeLinear around float ops) on the same 360 images; peers: ONNX Runtime running the
 *       QOperator file (onnxruntimeQoperator) and the float model (onnxruntimeFloat).</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class QuantizedInferenceBenchmark {
    static final int M = 64, K = 512, N = 512;
    private static final int FLOAT = 1, UINT8 = 2, INT8 = 3;

    private byte[] a;
    private IntegerMatMul weights;
    private OrtEnvironment env;
    private OrtSession gemmInt8, gemmFloat, cnnFloat, cnnQdq, cnnQoperator;
    private OnnxTensor aInt8, aFloat, images;
    private Sequential janusQoperator, janusQdq;
    private Tensor testImages;

    @Setup
    public void setup() throws OrtException {
        Random r = new Random(3);
        a = new byte[M * K];
        byte[] b = new byte[K * N];
        r.nextBytes(a);
        r.nextBytes(b);
        int[] bZeros = new int[N];
        byte[] bZeroBytes = new byte[N];
        for (int j = 0; j < N; j++) bZeroBytes[j] = (byte) (bZeros[j] = r.nextInt(5) - 2);
        weights = IntegerMatMul.weights(b, false, bZeros, K, N);
        float[] af = new float[M * K], bf = new float[K * N];
        for (int i = 0; i < af.length; i++) af[i] = (a[i] & 0xFF) / 255f;
        for (int i = 0; i < bf.length; i++) bf[i] = b[i] / 127f;

        Generator.manualSeed(DigitsCnn.SEED);
        byte[] cnn = OnnxExporter.toBytes(DigitsCnn.kerasModel().inferenceGraph(), ExportOptions.defaults());
        env = OnnxRuntimeModel.environment();
        GraphProto.Builder g = GraphProto.newBuilder().setName("gemm")
                .addInput(input("a", UINT8, M, K)).addOutput(ValueInfoProto.newBuilder().setName("c"))
                .addInitializer(tensor("b", INT8, b, K, N)).addInitializer(tensor("az", UINT8, new byte[] {(byte) 128}))
                .addInitializer(tensor("bz", INT8, bZeroBytes, N))
                .addNode(NodeProto.newBuilder().setOpType("MatMulInteger").addInput("a").addInput("b").addInput("az").addInput("bz").addOutput("c"));
        gemmInt8 = session(model(g));
        ByteBuffer bb = ByteBuffer.allocate(4 * bf.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : bf) bb.putFloat(v);
        g = GraphProto.newBuilder().setName("gemm").addInput(input("a", FLOAT, M, K)).addOutput(ValueInfoProto.newBuilder().setName("c"))
                .addInitializer(tensor("b", FLOAT, bb.array(), K, N))
                .addNode(NodeProto.newBuilder().setOpType("MatMul").addInput("a").addInput("b").addOutput("c"));
        gemmFloat = session(model(g));
        aInt8 = OnnxTensor.createTensor(env, ByteBuffer.wrap(a), new long[] {M, K}, OnnxJavaType.UINT8);
        aFloat = OnnxTensor.createTensor(env, FloatBuffer.wrap(af), new long[] {M, K});

        DigitsData digits = DigitsData.load();
        Tensor calibration = DigitsData.shaped(digits.train, 8, 8, 1), test = DigitsData.shaped(digits.test, 8, 8, 1);
        cnnFloat = session(cnn);
        byte[] qdq = OnnxQuantizer.quantize(cnn, QuantizeOptions.staticQuantization(calibration));
        byte[] qop = OnnxQuantizer.quantize(cnn, QuantizeOptions.staticQuantization(calibration).format(QuantizeOptions.Format.QOPERATOR));
        cnnQdq = session(qdq);
        cnnQoperator = session(qop);
        images = OnnxTensor.createTensor(env, FloatBuffer.wrap(test.toFloatArray()), new long[] {test.dim(0), 8, 8, 1});
        testImages = test;
        janusQoperator = new Sequential(new Input(8, 8, 1), new OnnxLayer(OnnxImporter.read(qop)));
        janusQdq = new Sequential(new Input(8, 8, 1), new OnnxLayer(OnnxImporter.read(qdq)));
    }

    @TearDown
    public void tearDown() throws OrtException {
        for (OnnxTensor t : new OnnxTensor[] {aInt8, aFloat, images}) t.close();
        for (OrtSession s : new OrtSession[] {gemmInt8, gemmFloat, cnnFloat, cnnQdq, cnnQoperator}) s.close();
    }

    @Benchmark
    public int[] gemm_janusInt8() {
        return weights.multiply(a, true, 128, M);
    }

    @Benchmark
    public Object gemm_onnxruntimeInt8() throws OrtException {
        return run(gemmInt8, "a", aInt8);
    }

    @Benchmark
    public Object gemm_onnxruntimeFloat() throws OrtException {
        return run(gemmFloat, "a", aFloat);
    }

    @Benchmark
    public Object digitsCnn_janusInt8Qdq() throws OrtException {
        return run(cnnQdq, null, images);
    }

    @Benchmark
    public Object digitsCnn_janusInt8Qoperator() throws OrtException {
        return run(cnnQoperator, null, images);
    }

    @Benchmark
    public Object digitsCnn_onnxruntimeFloat() throws OrtException {
        return run(cnnFloat, null, images);
    }

    @Benchmark
    public Tensor digitsCnnInt8_janusQoperator() {
        return janusQoperator.predict(testImages, testImages.dim(0));
    }

    @Benchmark
    public Tensor digitsCnnInt8_janusQdq() {
        return janusQdq.predict(testImages, testImages.dim(0));
    }

    @Benchmark
    public Object digitsCnnInt8_onnxruntimeQoperator() throws OrtException {
        return run(cnnQoperator, null, images);
    }

    @Benchmark
    public Object digitsCnnInt8_onnxruntimeFloat() throws OrtException {
        return run(cnnFloat, null, images);
    }

    /** Runs {@code s} on x (as input {@code name}, or its only input); returns a byte of the output so that nothing is skipped. */
    private static Object run(OrtSession s, String name, OnnxTensor x) throws OrtException {
        try (OrtSession.Result r = s.run(Map.of(name != null ? name : s.getInputNames().iterator().next(), x))) {
            return ((OnnxTensor) r.get(0)).getByteBuffer().get(0);
        }
    }

    private OrtSession session(byte[] model) throws OrtException {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            o.setInterOpNumThreads(1);
            return env.createSession(model, o);
        }
    }

    private static byte[] model(GraphProto.Builder g) {
        return ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).setGraph(g).build().toByteArray();
    }

    private static ValueInfoProto input(String name, int type, int... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int d : dims) shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape))).build();
    }

    private static TensorProto tensor(String name, int type, byte[] raw, int... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type).setRawData(ByteString.copyFrom(raw));
        for (int d : dims) t.addDims(d);
        return t.build();
    }
}
