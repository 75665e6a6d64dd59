package dev.janus.core;

import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Op;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The graph being recorded while a forward runs under the eager module's
 * {@code dev.janus.eager.Tracer} (core cannot see it): each op applied becomes a
 * node. Values are found by the identity of their storage, so detached views of a parameter still
 * read the parameter; a tensor the trace has not seen becomes a constant (a copy of its values now).
 *
 * <p>It also notes what a trace cannot record, as PyTorch's TracerWarning does, naming the line
 * of the caller's code: a tensor's values read into Java (item(), getDouble, toFloatArray: the
 * value, and any branch taken on it, is fixed for the example), and an op that turns an unknown
 * batch dimension into a fixed one (a shape read from the example and fed back).
 */
public final class Trace {
    final Graph graph;
    private final Set<String> enginePackages;
    private final Map<Tensor, Value> values = new IdentityHashMap<>();
    private final Set<String> warnings = new LinkedHashSet<>();

    Trace(Graph graph, Set<String> enginePackages) {
        this.graph = graph;
        this.enginePackages = Set.copyOf(enginePackages);
    }

    /**
     * Runs {@code forward} on {@code examples} once, without gradients, recording every op into a
     * graph (what {@code Tracer.trace} does for a module): the examples become inputs ("input", or
     * "input_0", ... for several; with {@code dynamicBatch} their first dimension unknown), the
     * parameters trainable graph parameters and the buffers frozen ones, the result "output".
     *
     * <p>{@code enginePackages} are the caller's own packages (the front end that traces: its
     * tensor functions and built-in modules): a warning passes over their frames, as over core's,
     * to name the line of the model's code. Core names no front end's package itself.
     */
    @SuppressWarnings("try") // the no-grad scope is only opened and closed
    public static Trace record(String name, Set<String> enginePackages, Map<String, Tensor> parameters, Map<String, Tensor> buffers,
                               boolean dynamicBatch, Function<Tensor[], Tensor> forward, Tensor... examples) {
        ThreadState state = ThreadState.get();
        if (state.trace != null) throw new JanusException("trace: a trace is already being recorded on this thread");
        Trace trace = new Trace(new Graph(name.isEmpty() ? "traced" : name), enginePackages);
        for (int i = 0; i < examples.length; i++) {
            Tensor x = examples[i];
            Shape s = x.shape();
            if (dynamicBatch && s.rank() > 0) s = s.with(0, Shape.DYNAMIC);
            trace.bind(x, trace.graph.input(examples.length == 1 ? "input" : "input_" + i, new TensorType(x.dtype(), s)));
        }
        for (Map.Entry<String, Tensor> p : parameters.entrySet()) {
            trace.bind(p.getValue(), trace.graph.parameter(p.getKey(), p.getValue().copy()));
        }
        for (Map.Entry<String, Tensor> b : buffers.entrySet()) {
            trace.bind(b.getValue(), trace.graph.parameter(b.getKey(), b.getValue().copy(), false));
        }
        Tensor out;
        state.trace = trace;
        try (Grad.Scope ignored = Grad.noGrad()) {
            out = forward.apply(examples.clone());
        } finally {
            state.trace = null;
        }
        trace.graph.addOutput("output", trace.valueOf(out));
        return trace;
    }

    /** The recorded graph. */
    public Graph graph() {
        return graph;
    }

    void bind(Tensor t, Value v) {
        values.put(t, v);
    }

    /** {@code view} reads the same values as {@code of} (a detached tensor). */
    void alias(Tensor view, Tensor of) {
        Value v = values.get(of);
        if (v != null) values.put(view, v);
    }

    Value valueOf(Tensor t) {
        return values.computeIfAbsent(t, k -> graph.constant(k.copy()));
    }

    void record(Op op, Attrs attrs, Tensor[] in, Tensor[] out) {
        Value[] args = new Value[in.length];
        boolean dynamicBatch = false;
        for (int i = 0; i < in.length; i++) {
            args[i] = valueOf(in[i]);
            Shape s = args[i].type().shape();
            dynamicBatch |= s.rank() > 0 && s.dim(0) == Shape.DYNAMIC;
        }
        List<Value> results = graph.apply(op, attrs, Arrays.asList(args), null);
        for (int k = 0; k < out.length; k++) {
            values.put(out[k], results.get(k));
            Shape s = results.get(k).type().shape();
            if (dynamicBatch && s.rank() > 0 && s.dim(0) != Shape.DYNAMIC) {
                warn("the " + op.name() + " here gives a fixed first dimension (" + s + ") from an input whose batch is unknown: the traced"
                        + " graph runs only at this size (was a size read from the example, such as x.size(0), passed to it?)");
            }
        }
    }

    /** A tensor's values were read into Java. */
    void read(String how) {
        warn("reading a tensor's values (" + how + ") while tracing: the value is taken as a constant, and Java control flow that"
                + " depends on it is recorded as it went for the example, so the trace might not generalize to other inputs");
    }

    private void warn(String what) {
        warnings.add("TracerWarning: " + callerLine() + ": " + what);
    }

    /**
     * The first frame outside the engine: the top-level classes of core and of the tracing front
     * end's packages (the tensor, the tracer, F and the built-in modules) are passed over, so the
     * line named is the model's own code.
     */
    private String callerLine() {
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
                .filter(f -> !isEngine(f.getDeclaringClass()))
                .findFirst()
                .map(f -> f.getDeclaringClass().getSimpleName() + "." + f.getMethodName()
                        + "(" + f.getFileName() + ":" + f.getLineNumber() + ")")
                .orElse("(unknown line)"));
    }

    private boolean isEngine(Class<?> c) {
        String pkg = c.getPackageName();
        return (pkg.equals(Trace.class.getPackageName()) || enginePackages.contains(pkg)) && c.getEnclosingClass() == null
                && !c.isAnonymousClass() && !c.getSimpleName().endsWith("Test");
    }

    /** The TracerWarnings, each once, in the order they arose. */
    public List<String> warnings() {
        return new ArrayList<>(warnings);
    }
}
