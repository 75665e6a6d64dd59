package dev.janus.core;

import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Immediate;
import dev.janus.core.ops.Ops;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The backward pass: runs each recorded op's own gradient rule (through {@link Immediate}, on core
 * tensors, recording nothing) from the root back to the leaves, in reverse creation order, and adds
 * the results into the leaves' {@code grad}.
 */
final class Backward {
    /** Gradient rules draw no random numbers; the generator is only there because contexts carry one. */
    static final ExecContext CTX = new ExecContext(Generator.global());
    static final Immediate NOW = new Immediate(CTX);

    private Backward() {
    }

    static void run(Tensor root, Tensor seed, boolean retainGraph) {
        run(root, seed, retainGraph, null);
    }

    /**
     * The gradient of {@code root} with respect to each of {@code inputs}, as
     * {@code torch.autograd.grad}: nothing is added into any tensor's {@code grad}; an input the
     * root does not depend on gets zeros. The graph is freed.
     */
    static Tensor[] gradients(Tensor root, Tensor... inputs) {
        Map<Tensor, Tensor> into = new IdentityHashMap<>();
        for (Tensor t : inputs) into.put(t, null);
        run(root, Tensor.full(1, root.dtype(), root.shape()), false, into);
        Tensor[] out = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor g = into.get(inputs[i]);
            out[i] = g != null ? g : Tensor.zeros(inputs[i].dtype(), inputs[i].shape().dims());
        }
        return out;
    }

    /** With {@code into}, gradients of the leaves among its keys go there (added up), and no leaf's grad changes. */
    private static void run(Tensor root, Tensor seed, boolean retainGraph, Map<Tensor, Tensor> into) {
        if (root.gradNode() == null) {
            deliver(root, seed, into);
            return;
        }
        List<GradNode> order = collect(root.gradNode());
        root.gradNode().addGrad(root.outputIndex(), seed);
        boolean done = false;
        try {
            for (GradNode n : order) step(n, into);
            done = true;
        } finally {
            for (GradNode n : order) {
                if (done && !retainGraph) n.free();
                else n.gradOut = null;
            }
        }
    }

    /** Every node that the root depends on, newest first; fails before any work on a freed node. */
    private static List<GradNode> collect(GradNode root) {
        Object pass = new Object();
        List<GradNode> order = new ArrayList<>();
        ArrayDeque<GradNode> stack = new ArrayDeque<>();
        stack.push(root);
        root.mark = pass;
        while (!stack.isEmpty()) {
            GradNode n = stack.pop();
            if (n.freed) {
                throw new JanusException("backward: trying to go back through the graph a second time (its "
                        + n.displayName() + " step was freed by the first backward). Run the forward again, or call "
                        + "backward(gradient, true) the first time to keep the graph.");
            }
            order.add(n);
            for (Tensor t : n.inputs) {
                GradNode p = t.gradNode();
                if (p != null && p.mark != pass && t.requiresGrad()) {
                    p.mark = pass;
                    stack.push(p);
                }
            }
        }
        order.sort((a, b) -> Long.compare(b.seq, a.seq));
        return order;
    }

    private static void step(GradNode n, Map<Tensor, Tensor> into) {
        if (n.gradOut == null) return;
        if (n.retained != null) {
            for (int k = 0; k < n.retained.length; k++) {
                if (n.retained[k] != null && n.gradOut[k] != null) accumulate(n.retained[k], n.gradOut[k]);
            }
        }
        for (int i = 0; i < n.inputs.length; i++) {
            if (n.wanted[i] && n.inputs[i].version() != n.versions[i]) {
                throw new JanusException("backward: input " + i + " of " + n.op.name() + " (" + n.inputs[i].type()
                        + ") was changed in place after the forward used it (by an optimizer step, copyFrom or "
                        + "loadStateDict), so its gradient would be wrong. Run the forward again after changing it.");
            }
        }
        List<Tensor> grads = n.op.gradient(NOW, n.attrs, n.inValues, n.outValues, Arrays.asList(n.gradOut), n.wanted);
        for (int i = 0; i < n.inputs.length; i++) {
            Tensor g = grads.get(i);
            if (!n.wanted[i] || g == null) continue;
            Tensor t = n.inputs[i];
            if (!g.shape().equals(t.shape())) {
                throw new ShapeException("backward: the gradient rule of " + n.op.name() + " gave input " + i + " a gradient of shape "
                        + g.shape() + " for a value of shape " + t.shape());
            }
            if (t.gradNode() != null) t.gradNode().addGrad(t.outputIndex(), g);
            else deliver(t, g, into);
        }
        n.gradOut = null;
    }

    private static void deliver(Tensor t, Tensor g, Map<Tensor, Tensor> into) {
        if (into == null) {
            accumulate(t, g);
        } else if (into.containsKey(t)) {
            Tensor have = into.get(t);
            into.put(t, have == null ? g.copy() : NOW.add(have, g));
        }
    }

    /** Adds into {@code t.grad}: a fresh copy the first time, in place after that (as PyTorch accumulates). */
    static void accumulate(Tensor t, Tensor g) {
        Tensor have = t.gradOrNull();
        if (have == null) {
            t.setGradValue(g.copy());
        } else {
            Tensor acc = have;
            Ops.ADD.execute(new Tensor[] {acc, g}, Attrs.NONE, new Tensor[] {acc}, CTX);
        }
    }
}
