package dev.janus.eager;

import dev.janus.core.Tensor;
import dev.janus.core.Trace;
import dev.janus.core.ir.Graph;
import dev.janus.eager.nn.NNModule;

import java.util.List;
import java.util.Map;
import java.util.Set;
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
    /** The eager engine's packages, whose frames a warning passes over to name the model's line. */
    private static final Set<String> ENGINE = Set.of(Tracer.class.getPackageName(), NNModule.class.getPackageName());

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
    public static Graph trace(String name, Map<String, Tensor> parameters, Map<String, Tensor> buffers, boolean dynamicBatch,
                              Function<Tensor[], Tensor> forward, Tensor... examples) {
        Trace trace = Trace.record(name, ENGINE, parameters, buffers, dynamicBatch, forward, examples);
        List<String> warnings = List.copyOf(trace.warnings());
        LAST.set(warnings);
        for (String w : warnings) LOG.warn(w);
        return trace.graph();
    }
}
