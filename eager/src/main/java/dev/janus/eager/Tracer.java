package dev.janus.eager;

import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Value;
import dev.janus.eager.nn.NNModule;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns a forward pass into core IR, as {@code torch.jit.trace}: the forward runs once on example
 * inputs and every op it applies becomes a graph node. Parameters become graph parameters named as
 * {@link NNModule#namedParameters()} names them (holding copies of their values now), buffers (batch
 * norm's running averages) become parameters that do not train, named as
 * {@link NNModule#namedBuffers()} names them, the inputs are called "input" ("input_0", "input_1", ...
 * for several) and the result "output".
 *
 * <p>The first dimension of each input is left unknown (-1) by default, so the graph runs at any
 * batch size. What the trace records is what ran: Java control flow is taken as it went for the
 * example, values read out of tensors become constants, and a module in eval mode leaves out its
 * dropout. As PyTorch's TracerWarning, what may not generalize is logged as a warning naming the
 * line of the model's code (and kept, {@link #lastWarnings()}): values read with item(), getDouble
 * or toFloatArray, and an op that fixes the unknown batch dimension.
 */
public final class Tracer {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Tracer.class);
    private static final ThreadLocal<List<String>> LAST = ThreadLocal.withInitial(List::of);

    private Tracer() {
    }

    /** The warnings of the last trace recorded on this thread ("TracerWarning: Net.forward(Net.java:42): ..."), in order. */
    public static List<String> lastWarnings() {
        return LAST.get();
    }

    /** Traces {@code module.forward(example)} with a dynamic batch dimension. */
    public static Graph trace(NNModule module, Tensor example) {
        return trace(module, true, example);
    }

    /** Traces {@code module.forward(examples...)}: one input per example ("input_0", "input_1", ... for several). */
    public static Graph trace(NNModule module, boolean dynamicBatch, Tensor... examples) {
        return trace(module.kind(), module.namedParameters(), module.namedBuffers(), dynamicBatch,
                xs -> xs.length == 1 ? module.forward(xs[0]) : module.forward(xs), examples);
    }

    /**
     * Traces any function of tensors; {@code parameters} are the tensors it uses that should become
     * named graph parameters (others become constants).
     */
    public static Graph trace(String name, Map<String, Tensor> parameters, boolean dynamicBatch,
                              Function<Tensor[], Tensor> forward, Tensor... examples) {
        return trace(name, parameters, Map.of(), dynamicBatch, forward, examples);
    }

    /** As above, with {@code buffers}: tensors that become named graph parameters that do not train. */
    @SuppressWarnings("try") // the no-grad scope is only opened and closed
    public static Graph trace(String name, Map<String, Tensor> parameters, Map<String, Tensor> buffers, boolean dynamicBatch,
                              Function<Tensor[], Tensor> forward, Tensor... examples) {
        ThreadState state = ThreadState.get();
        if (state.trace != null) throw new JanusException("trace: a trace is already being recorded on this thread");
        Trace trace = new Trace(new Graph(name.isEmpty() ? "traced" : name));
        for (int i = 0; i < examples.length; i++) {
            dev.janus.core.Tensor x = examples[i].value();
            Shape s = x.shape();
            if (dynamicBatch && s.rank() > 0) s = s.with(0, Shape.DYNAMIC);
            Value v = trace.graph.input(examples.length == 1 ? "input" : "input_" + i, new TensorType(x.dtype(), s));
            trace.bind(x, v);
        }
        for (Map.Entry<String, Tensor> p : parameters.entrySet()) {
            trace.bind(p.getValue().value(), trace.graph.parameter(p.getKey(), p.getValue().value().copy()));
        }
        for (Map.Entry<String, Tensor> b : buffers.entrySet()) {
            trace.bind(b.getValue().value(), trace.graph.parameter(b.getKey(), b.getValue().value().copy(), false));
        }
        Tensor out;
        state.trace = trace;
        try (Grad.Scope ignored = Grad.noGrad()) {
            out = forward.apply(examples.clone());
        } finally {
            state.trace = null;
        }
        trace.graph.addOutput("output", trace.valueOf(out.value()));
        List<String> warnings = List.copyOf(trace.warnings());
        LAST.set(warnings);
        for (String w : warnings) LOG.warn(w);
        return trace.graph;
    }
}
