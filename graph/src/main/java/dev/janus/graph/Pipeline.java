package dev.janus.graph;

import dev.janus.core.Device;
import dev.janus.core.ir.Graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The optimisation passes the options switch on, in order, with the IR shown to the listener after each. */
public final class Pipeline {
    private final List<Pass> passes;
    private final IrListener listener;

    public Pipeline(List<Pass> passes, IrListener listener) {
        this.passes = List.copyOf(passes);
        this.listener = listener;
    }

    /** Constant folding, transpose cancellation, common subexpressions, dead code, pool before relu, softmax once, elementwise fusion: those switched on. */
    public static Pipeline of(CompileOptions options) {
        List<Pass> p = new ArrayList<>();
        if (options.constantFolding()) p.add(new ConstantFolding());
        if (options.transposes()) p.add(new TransposeCancellation());
        if (options.cse()) p.add(new CommonSubexpressions());
        if (options.dce()) p.add(new DeadCodeElimination());
        if (options.fusion()) p.add(new PoolBeforeRelu());
        if (softmaxOnce(options.fusion(), options.device())) p.add(new SoftmaxOnce());
        if (options.fusion()) p.add(new ElementwiseFusion());
        return new Pipeline(p, options.listener());
    }

    /**
     * SoftmaxOnce only where its op has a kernel: {@code LossWithSoftmax} runs on the CPU alone, so on
     * another device the fused node would copy the logits to the host every step, where the separate
     * loss and softmax have device kernels.
     */
    static boolean softmaxOnce(boolean fusion, Device device) {
        return fusion && device.isCpu();
    }

    public List<Pass> passes() {
        return Collections.unmodifiableList(passes);
    }

    public Graph run(Graph graph) {
        for (Pass pass : passes) {
            Graph next = pass.run(graph);
            if (listener != null) listener.afterPass(pass.name(), graph, next);
            graph = next;
        }
        return graph;
    }
}
