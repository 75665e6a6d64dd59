package dev.janus.core;

import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Op;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One recorded op application: what backward needs to run the op's gradient rule (its inputs and
 * outputs) and where to send the input gradients. Backward frees it, unless asked to keep the graph.
 */
final class GradNode {
    private static final AtomicLong COUNTER = new AtomicLong();

    /** Creation order; a node's inputs were always made before it, so descending order is topological. */
    final long seq;
    final Op op;
    final Attrs attrs;
    Tensor[] inputs;
    List<Tensor> inValues, outValues;
    final int[] versions;
    final boolean[] wanted;
    /** Upstream gradient per output while a backward pass runs. */
    Tensor[] gradOut;
    /** Non-leaf outputs that asked to keep their gradient (retainGrad); usually null. */
    Tensor[] retained;
    boolean freed;
    Object mark;

    GradNode(Op op, Attrs attrs, Tensor[] inputs, Tensor[] outputs) {
        this.seq = COUNTER.getAndIncrement();
        this.op = op;
        this.attrs = attrs;
        this.inputs = inputs;
        this.inValues = Arrays.asList(inputs);
        this.outValues = Arrays.asList(outputs);
        this.versions = new int[inputs.length];
        this.wanted = new boolean[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            versions[i] = inputs[i].version();
            wanted[i] = inputs[i].requiresGrad();
        }
    }

    void addGrad(int output, Tensor g) {
        if (gradOut == null) gradOut = new Tensor[outValues.size()];
        Tensor have = gradOut[output];
        gradOut[output] = have == null ? g : Backward.NOW.add(have, g);
    }

    void retain(int output, Tensor t) {
        if (retained == null) retained = new Tensor[outValues.size()];
        retained[output] = t;
    }

    void free() {
        freed = true;
        inputs = null;
        inValues = null;
        outValues = null;
        gradOut = null;
        retained = null;
    }

    /** "LinearBackward" for linear, as PyTorch names its grad_fn. */
    String displayName() {
        StringBuilder sb = new StringBuilder();
        for (String part : op.name().split("_")) {
            if (!part.isEmpty()) sb.append(part.substring(0, 1).toUpperCase(Locale.ROOT)).append(part.substring(1));
        }
        return sb.append("Backward").toString();
    }
}
