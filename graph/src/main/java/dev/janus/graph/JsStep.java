package dev.janus.graph;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.ir.Node;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One node of the plan being written as JavaScript: its op, attributes and static types, the
 * names of the arrays it reads and writes (chosen from the plan's buffers), and what a kernel may
 * ask of the module: constants in another layout, scratch arrays, helper functions.
 */
final class JsStep {
    final Node node;
    final JsCode code = new JsCode();
    private final Tensor[] in, out;
    private final Set<Value> used;
    private final JsModule.Builder module;
    private final Map<String, String> locals = new LinkedHashMap<>();

    /** {@code in}, {@code out}: the plan's buffers for the node; a constant is embedded only when the kernel reads it. */
    JsStep(Node node, Tensor[] in, Tensor[] out, Set<Value> used, JsModule.Builder module) {
        this.node = node;
        this.in = in;
        this.out = out;
        this.used = used;
        this.module = module;
    }

    Attrs attrs() {
        return node.attrs();
    }

    String in(int i) {
        return local(module.name(in[i]));
    }

    int inputCount() {
        return in.length;
    }

    Shape inShape(int i) {
        return node.inputs().get(i).type().shape();
    }

    DType inType(int i) {
        return node.inputs().get(i).type().dtype();
    }

    String out(int j) {
        return local(module.name(out[j]));
    }

    Shape outShape(int j) {
        return node.outputs().get(j).type().shape();
    }

    DType outType(int j) {
        return node.outputs().get(j).type().dtype();
    }

    /** Whether a later node or the graph's output reads output {@code j} (a kernel may skip it otherwise). */
    boolean outputUsed(int j) {
        return used.contains(node.outputs().get(j));
    }

    /** The value of input {@code i} when it is a constant of the graph, else null. */
    Tensor constant(int i) {
        Value v = node.inputs().get(i);
        return v.kind() == Value.Kind.CONSTANT ? module.constantValue(v) : null;
    }

    /** What input {@code i} is called in comments: a frozen parameter's name, else its type. */
    String constantName(int i) {
        return module.describe(in[i]);
    }

    /** A constant of the module holding {@code value} (embedded with the weights); returns its name. */
    String addConstant(Tensor value, String what) {
        return local(module.addConstant(value, what));
    }

    /** A module-level scratch array of {@code size} elements, allocated once; returns its name. */
    String scratch(DType type, int size) {
        return local(module.scratch(type, size));
    }

    /**
     * The kernel's name for a module-level array: the step function takes every array it touches
     * as a parameter (V8 keeps locals in registers; module bindings are loaded from their context
     * on every access).
     */
    private String local(String moduleName) {
        return locals.computeIfAbsent(moduleName, n -> "a" + locals.size());
    }

    /** The step function's parameters, and what to call it with: "a0, a1" and "b1, c2". */
    String parameters() {
        return String.join(", ", locals.values());
    }

    String arguments() {
        return String.join(", ", locals.keySet());
    }

    JsHelpers helpers() {
        return module.helpers();
    }

    /** What the node is, for comments and errors: "matmul (dense_1)". */
    String describe() {
        return node.op().name() + (node.label() == null ? "" : " (" + node.label() + ")");
    }
}
