package dev.janus.export;

import dev.janus.core.onnx.OnnxException;
import dev.janus.core.onnx.OnnxTypes;
import dev.janus.export.proto.Onnx.AttributeProto;
import dev.janus.export.proto.Onnx.NodeProto;
import dev.janus.export.proto.Onnx.TensorProto;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads nodes of opsets 1 to 6 as their opset-7 form, where the meaning is the same (as ONNX's
 * version converter does): {@code consumed_inputs} (a memory hint) goes; the old arithmetic ops'
 * {@code broadcast}/{@code axis} become NumPy broadcasting, with the second input's trailing
 * dimensions added; {@code is_test} of inference-mode BatchNormalization and Dropout goes; Cast's
 * type name becomes its code; Concat's default axis 1 is written out; Reshape's shape attribute
 * becomes an input; {@code output_sequence} of the recurrent ops goes; PRelu's per-channel slope
 * is shaped for broadcasting. Anything else is refused, naming the node and the attribute.
 */
final class OldOpsets {
    /** The opset the upgraded nodes are read at. */
    static final int TARGET = 7;
    private static final Set<String> BROADCASTING = Set.of("Add", "Sub", "Mul", "Div", "Pow", "And", "Or", "Xor", "Equal", "Greater", "Less");

    private OldOpsets() {
    }

    /** The opset-7 nodes that compute what {@code n} (of {@code opset} < 7) computes; {@code g} gives ranks of its inputs. */
    static List<NodeProto> upgrade(NodeProto n, int opset, GraphReader g) {
        List<NodeProto> before = new ArrayList<>();
        NodeProto.Builder b = n.toBuilder();
        remove(b, "consumed_inputs");
        String op = n.getOpType();
        if (BROADCASTING.contains(op)) {
            AttributeProto broadcast = remove(b, "broadcast"), axis = remove(b, "axis");
            if (broadcast != null && broadcast.getI() == 1 && axis != null && n.getInputCount() == 2) {
                // B's dimensions start at `axis` of A's: NumPy aligns trailing dimensions, so B gets trailing 1s.
                int ra = g.rank(n.getInput(0)), rb = g.rank(n.getInput(1));
                long at = axis.getI() < 0 ? axis.getI() + ra : axis.getI();
                if (at < 0 || at + rb > ra) throw error(n, "axis", "axis " + axis.getI() + " does not place a rank-" + rb + " B inside rank-" + ra + " A");
                int trailing = (int) (ra - at - rb);
                if (trailing > 0) b.setInput(1, unsqueeze(n, n.getInput(1), rb, trailing, before, g));
            }
        } else if (op.equals("Gemm")) {
            remove(b, "broadcast");   // C broadcasts to A B either way
        } else if (op.equals("BatchNormalization")) {
            AttributeProto isTest = remove(b, "is_test"), spatial = remove(b, "spatial");
            if (isTest == null || isTest.getI() != 1) throw error(n, "is_test", "training mode (is_test 0, the default before opset 7) is not supported");
            if (spatial != null && spatial.getI() != 1) throw error(n, "spatial", "spatial 0 (statistics per element, not per channel) is not supported");
        } else if (op.equals("Dropout")) {
            remove(b, "is_test");   // imported models run in inference form, where dropout passes its input through
        } else if (op.equals("Cast")) {
            AttributeProto to = find(b, "to");
            if (to != null && to.hasS()) {
                String name = to.getS().toString(StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
                int code = OnnxTypes.code(name);
                if (code < 0) throw error(n, "to", "'" + name + "' is not an ONNX element type");
                remove(b, "to");
                b.addAttribute(AttributeProto.newBuilder().setName("to").setType(AttributeProto.AttributeType.INT).setI(code));
            }
        } else if (op.equals("Concat") && find(b, "axis") == null) {
            b.addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(1));
        } else if (op.equals("Reshape")) {
            AttributeProto shape = remove(b, "shape");
            if (shape != null) {
                TensorProto.Builder t = TensorProto.newBuilder().setDataType(OnnxTypes.INT64).addDims(shape.getIntsCount()).addAllInt64Data(shape.getIntsList());
                String name = g.freshName(n.getOutput(0) + "/shape");
                before.add(NodeProto.newBuilder().setOpType("Constant").addOutput(name)
                        .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(t)).build());
                b.clearInput().addInput(n.getInput(0)).addInput(name);
            }
        } else if (op.equals("LSTM") || op.equals("GRU") || op.equals("RNN")) {
            remove(b, "output_sequence");   // Y is computed whenever it is asked for
        } else if (op.equals("PRelu") && n.getInputCount() == 2) {
            int rx = g.rank(n.getInput(0)), rs = g.rank(n.getInput(1));
            if (rs == 1 && rx > 2) b.setInput(1, unsqueeze(n, n.getInput(1), 1, rx - 2, before, g));   // a slope per channel (axis 1)
        } else if (op.equals("Pad")) {
            AttributeProto paddings = remove(b, "paddings");
            if (paddings != null) b.addAttribute(paddings.toBuilder().setName("pads"));
        }
        before.add(b.build());
        return before;
    }

    /** Adds an Unsqueeze of {@code value} (rank {@code rank}) with {@code count} trailing axes; returns its output. */
    private static String unsqueeze(NodeProto n, String value, int rank, int count, List<NodeProto> into, GraphReader g) {
        AttributeProto.Builder axes = AttributeProto.newBuilder().setName("axes").setType(AttributeProto.AttributeType.INTS);
        for (int i = 0; i < count; i++) axes.addInts(rank + i);
        String name = g.freshName(value + "/broadcast");
        into.add(NodeProto.newBuilder().setOpType("Unsqueeze").setName((n.getName().isEmpty() ? n.getOpType() : n.getName()) + "/broadcast")
                .addInput(value).addOutput(name).addAttribute(axes).build());
        return name;
    }

    private static AttributeProto find(NodeProto.Builder b, String name) {
        for (AttributeProto a : b.getAttributeList()) if (a.getName().equals(name)) return a;
        return null;
    }

    private static AttributeProto remove(NodeProto.Builder b, String name) {
        for (int i = 0; i < b.getAttributeCount(); i++) {
            if (b.getAttribute(i).getName().equals(name)) {
                AttributeProto a = b.getAttribute(i);
                b.removeAttribute(i);
                return a;
            }
        }
        return null;
    }

    private static OnnxException error(NodeProto n, String attribute, String why) {
        String name = n.getName().isEmpty() ? n.getOpType() : n.getName();
        return new OnnxException(n.getOpType(), "ONNX node '" + name + "' (" + n.getOpType() + ", opset before " + TARGET + "): attribute '"
                + attribute + "': " + why, null);
    }
}
