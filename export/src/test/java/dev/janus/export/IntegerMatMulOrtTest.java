package dev.janus.export;

import com.google.protobuf.ByteString;
import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Ops;
import dev.janus.core.quant.IntegerMatMul;
import dev.janus.export.proto.Onnx.AttributeProto;
import dev.janus.export.proto.Onnx.GraphProto;
import dev.janus.export.proto.Onnx.ModelProto;
import dev.janus.export.proto.Onnx.NodeProto;
import dev.janus.export.proto.Onnx.OperatorSetIdProto;
import dev.janus.export.proto.Onnx.TensorProto;
import dev.janus.export.proto.Onnx.ValueInfoProto;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Janus's int8 product gives ONNX Runtime's integers exactly: MatMulInteger (int32, through
 * IntegerMatMul) and QLinearMatMul (the qlinear_matmul op: requantized, per-column scales and zero
 * points) on random 8-bit matrices, with uint8 and int8 activations.
 */
class IntegerMatMulOrtTest {
    private static final int UINT8 = 2, INT8 = 3, INT64 = 7, FLOAT = 1;

    @Test
    void sameIntegersAsOnnxRuntime() {
        Random r = new Random(17);
        for (boolean unsignedA : new boolean[] {true, false}) {
            int m = 9, k = 37, n = 6;
            byte[] a = bytes(r, m * k), b = bytes(r, k * n);
            int aZero = unsignedA ? 131 : -7;
            int[] bZeros = new int[n];
            float[] bScales = new float[n];
            for (int j = 0; j < n; j++) {
                bZeros[j] = r.nextInt(11) - 5;
                bScales[j] = 0.001f + r.nextFloat() * 0.01f;
            }
            float aScale = 0.02f, yScale = 0.37f;
            int yZero = unsignedA ? 120 : 3;
            int aType = unsignedA ? UINT8 : INT8;

            GraphProto.Builder g = GraphProto.newBuilder().setName("int8")
                    .addInitializer(tensor("a", aType, a, m, k)).addInitializer(tensor("b", INT8, b, k, n))
                    .addInitializer(tensor("az", aType, new byte[] {(byte) aZero})).addInitializer(tensor("bz", INT8, small(bZeros), n))
                    .addInitializer(floats("as", aScale)).addInitializer(floats("bs", bScales)).addInitializer(floats("ys", yScale))
                    .addInitializer(tensor("yz", aType, new byte[] {(byte) yZero}));
            g.addNode(node("MatMulInteger", List.of("a", "b", "az", "bz"), "c32"));
            g.addNode(node("QLinearMatMul", List.of("a", "as", "az", "b", "bs", "bz", "ys", "yz"), "y8"));
            for (String out : List.of("c32", "y8")) {
                g.addNode(NodeProto.newBuilder().setOpType("Cast").addInput(out).addOutput(out + "_long")
                        .addAttribute(AttributeProto.newBuilder().setName("to").setType(AttributeProto.AttributeType.INT).setI(INT64)));
                g.addOutput(ValueInfoProto.newBuilder().setName(out + "_long"));
            }
            ModelProto model = ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).setGraph(g).build();
            List<Tensor> ort;
            try (OnnxRuntimeModel session = OnnxRuntimeModel.load(model.toByteArray())) {
                ort = session.run();
            }

            IntegerMatMul w = IntegerMatMul.weights(b, false, bZeros, k, n);
            int[] c = w.multiply(a, unsignedA, aZero, m);
            DType aType8 = unsignedA ? DType.UINT8 : DType.INT8;
            long[] yLong = Ops.QLINEAR_MATMUL.run(ExecContext.global(), Attrs.NONE, Tensor.wrap(a, aType8, Shape.of(m, k)),
                    Tensor.scalar(aScale, DType.FLOAT32), Tensor.wrap(new byte[] {(byte) aZero}, aType8, Shape.scalar()),
                    Tensor.wrap(b, DType.INT8, Shape.of(k, n)), Tensor.of(bScales, n), Tensor.wrap(small(bZeros), DType.INT8, Shape.of(n)),
                    Tensor.scalar(yScale, DType.FLOAT32), Tensor.wrap(new byte[] {(byte) yZero}, aType8, Shape.scalar()))[0].toLongArray();
            long[] cLong = new long[c.length];
            for (int i = 0; i < c.length; i++) cLong[i] = c[i];
            assertArrayEquals(ort.get(0).toLongArray(), cLong, "MatMulInteger, " + (unsignedA ? "uint8" : "int8") + " A");
            assertArrayEquals(ort.get(1).toLongArray(), yLong, "QLinearMatMul, " + (unsignedA ? "uint8" : "int8") + " A");
        }
    }

    private static byte[] bytes(Random r, int n) {
        byte[] v = new byte[n];
        r.nextBytes(v);
        return v;
    }

    private static byte[] small(int[] v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    private static NodeProto node(String op, List<String> in, String out) {
        return NodeProto.newBuilder().setOpType(op).addAllInput(in).addOutput(out).build();
    }

    private static TensorProto tensor(String name, int type, byte[] raw, int... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type).setRawData(ByteString.copyFrom(raw));
        for (int d : dims) t.addDims(d);
        return t.build();
    }

    private static TensorProto floats(String name, float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return v.length == 1 ? tensor(name, FLOAT, b.array()) : tensor(name, FLOAT, b.array(), v.length);
    }
}
