package dev.janus.tensorboard;

import com.google.protobuf.ByteString;
import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Node;
import dev.janus.core.ir.Value;
import dev.janus.tensorboard.proto.TensorBoardProtos.AttrValue;
import dev.janus.tensorboard.proto.TensorBoardProtos.DataType;
import dev.janus.tensorboard.proto.TensorBoardProtos.GraphDef;
import dev.janus.tensorboard.proto.TensorBoardProtos.NodeDef;
import dev.janus.tensorboard.proto.TensorBoardProtos.TensorShapeProto;
import dev.janus.tensorboard.proto.TensorBoardProtos.VersionDef;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Janus IR as a {@code GraphDef} for TensorBoard's graph dashboard. Every graph input, parameter,
 * constant, op application and output is a node; a node's name is its scope and its own name
 * joined by "/", which the dashboard draws as nested boxes: an op lies in the scope of the layer
 * it came from ({@link Node#label()}, "dense_1") or, in a traced eager model, of the first
 * parameter it reads ("fc1" for "fc1.weight", dots becoming "/"). Op types are the op set's names
 * ("matmul", "relu"); each node carries its output shapes ({@code _output_shapes}, unknown
 * dimensions as -1), its dtype and its attributes.
 */
public final class GraphDefs {
    private GraphDefs() {
    }

    public static GraphDef of(Graph graph) {
        GraphDef.Builder g = GraphDef.newBuilder().setVersions(VersionDef.newBuilder().setProducer(22));
        Map<Value, String> names = new HashMap<>();
        Set<String> taken = new HashSet<>();
        for (Value v : graph.inputs()) g.addNode(leaf(unique(v.name(), taken), "Placeholder", v, names));
        for (Value v : graph.parameters()) {
            g.addNode(leaf(unique(scoped(v.name()), taken), graph.isTrainable(v) ? "Parameter" : "FrozenParameter", v, names));
        }
        for (Value v : graph.constants()) g.addNode(leaf(unique("Const", taken), "Const", v, names));
        for (Node n : graph.nodes()) {
            String scope = n.label() != null ? n.label() : parameterScope(graph, n);
            String name = unique((scope == null ? "" : scope + "/") + n.op().name(), taken);
            NodeDef.Builder b = NodeDef.newBuilder().setName(name).setOp(n.op().name());
            for (Value in : n.inputs()) b.addInput(ref(in, names));
            AttrValue.ListValue.Builder shapes = AttrValue.ListValue.newBuilder();
            for (Value out : n.outputs()) shapes.addShape(shape(out.type().shape()));
            b.putAttr("_output_shapes", AttrValue.newBuilder().setList(shapes).build());
            b.putAttr("T", AttrValue.newBuilder().setType(dataType(n.output().type().dtype())).build());
            for (String key : n.attrs().keys()) {
                String text = attrText(n.attrs().get(key));
                b.putAttr(key, AttrValue.newBuilder().setS(ByteString.copyFrom(text, StandardCharsets.UTF_8)).build());
            }
            for (Value out : n.outputs()) names.put(out, name);
            g.addNode(b);
        }
        for (int i = 0; i < graph.outputs().size(); i++) {
            Value v = graph.outputs().get(i);
            String name = graph.outputName(i);
            if (name.startsWith("%")) name = graph.outputs().size() == 1 ? "output" : "output_" + i;   // an unnamed output
            NodeDef.Builder b = leaf(unique(name, taken), "Output", v, new HashMap<>());
            g.addNode(b.addInput(ref(v, names)));
        }
        return g.build();
    }

    private static NodeDef.Builder leaf(String name, String op, Value v, Map<Value, String> names) {
        names.put(v, name);
        TensorType t = v.type();
        return NodeDef.newBuilder().setName(name).setOp(op)
                .putAttr("_output_shapes", AttrValue.newBuilder().setList(AttrValue.ListValue.newBuilder().addShape(shape(t.shape()))).build())
                .putAttr("dtype", AttrValue.newBuilder().setType(dataType(t.dtype())).build());
    }

    private static String attrText(Object v) {
        if (v instanceof int[] a) return Arrays.toString(a);
        if (v instanceof long[] a) return Arrays.toString(a);
        if (v instanceof double[] a) return Arrays.toString(a);
        if (v instanceof float[] a) return Arrays.toString(a);
        if (v instanceof Object[] a) return Arrays.deepToString(a);
        return String.valueOf(v);
    }

    /** "name" for a first output, "name:k" for output k, as TensorFlow refers to them. */
    private static String ref(Value v, Map<Value, String> names) {
        String n = names.get(v);
        return v.kind() == Value.Kind.NODE && v.outputIndex() > 0 ? n + ":" + v.outputIndex() : n;
    }

    /** The scope of the first named parameter the node reads: "fc1.weight" gives "fc1". */
    private static String parameterScope(Graph graph, Node n) {
        for (Value in : n.inputs()) {
            if (in.kind() != Value.Kind.PARAMETER) continue;
            String s = scoped(in.name());
            int slash = s.lastIndexOf('/');
            return slash > 0 ? s.substring(0, slash) : null;
        }
        return null;
    }

    /** PyTorch's dotted parameter paths as TensorBoard scopes. */
    private static String scoped(String name) {
        return name.replace('.', '/');
    }

    /** The name itself when free, else name_1, name_2 ... */
    private static String unique(String name, Set<String> taken) {
        String n = name;
        for (int i = 1; !taken.add(n); i++) n = name + "_" + i;
        return n;
    }

    static TensorShapeProto shape(Shape s) {
        TensorShapeProto.Builder b = TensorShapeProto.newBuilder();
        for (int d : s.dims()) b.addDim(TensorShapeProto.Dim.newBuilder().setSize(d == Shape.DYNAMIC ? -1 : d));
        return b.build();
    }

    static DataType dataType(DType d) {
        return switch (d) {
            case FLOAT32 -> DataType.DT_FLOAT;
            case FLOAT64 -> DataType.DT_DOUBLE;
            case INT64 -> DataType.DT_INT64;
            case BOOL -> DataType.DT_BOOL;
            default -> DataType.DT_INVALID;
        };
    }
}
