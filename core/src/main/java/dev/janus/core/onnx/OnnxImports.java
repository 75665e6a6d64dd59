package dev.janus.core.onnx;

import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Op;
import dev.janus.core.ops.Ops;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The import side of the op set's ONNX mapping: which core op imports each ONNX op type, gathered
 * from {@link Op#fromOnnx()} of every op. Identity imports as the value itself; Constant nodes
 * are values, which the reader handles.
 */
public final class OnnxImports {
    private static final Map<String, OnnxImportRule> RULES = build();

    private OnnxImports() {
    }

    private static Map<String, OnnxImportRule> build() {
        Map<String, OnnxImportRule> rules = new TreeMap<>();
        rules.put("Identity", n -> List.of(n.input(0)));
        for (Op op : Ops.all()) {
            for (Map.Entry<String, OnnxImportRule> e : op.fromOnnx().entrySet()) {
                if (rules.putIfAbsent(e.getKey(), e.getValue()) != null) {
                    throw new IllegalStateException("ONNX op type " + e.getKey() + " is imported by two ops (one is " + op + ")");
                }
            }
        }
        return Collections.unmodifiableMap(rules);
    }

    /**
     * The rule for an ONNX op that is {@code op} itself: the node's inputs in order, no attributes.
     * The op's shape rule checks the input count.
     */
    public static OnnxImportRule direct(Op op) {
        return n -> List.of(n.emit().one(op, Attrs.NONE, n.inputs()));
    }

    /** The rule for an ONNX op type of the default domain, or null when Janus has none. */
    public static OnnxImportRule rule(String opType) {
        return RULES.get(opType);
    }

    /** Every ONNX op type Janus imports, sorted ("Constant" included). */
    public static List<String> opTypes() {
        TreeSet<String> all = new TreeSet<>(RULES.keySet());
        all.add("Constant");
        return List.copyOf(all);
    }
}
