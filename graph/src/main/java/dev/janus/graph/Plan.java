package dev.janus.graph;

import dev.janus.core.Device;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.ir.Graph;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Kernel;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A compiled graph ready to run: its nodes as kernel calls on buffers chosen once by the
 * {@link BufferPlanner}, on one device (the kernels chosen once for the buffers' storage). A run
 * allocates nothing: the caller writes the inputs into {@link #input(int)}, {@link #run} calls the
 * kernels, and the outputs are the plan's own buffers, valid until the next run. Parameter updates
 * land in the parameters' tensors. {@link #close} releases its buffers at once. Not thread-safe.
 */
public final class Plan {
    private final Graph graph;
    private final Device device;
    private final Kernel[] kernels;
    private final Attrs[] attrs;
    private final Tensor[][] in, out;
    private final String[] labels;
    private final Tensor[] inputs;
    private final List<Tensor> outputs;
    private final Tensor[] copyFrom, copyTo;
    // Everything the planner allocated for this plan (inputs, buffers, moved constants): closed with it.
    private final Tensor[] allocated;
    private boolean closed;
    private final int buffers;
    private final long bytes;
    // Printed on first use: building the string was a tenth of building a small plan.
    private final java.util.function.Supplier<String> layoutText;
    private String layout;

    Plan(Graph graph, Device device, Kernel[] kernels, Attrs[] attrs, Tensor[][] in, Tensor[][] out, String[] labels, Tensor[] inputs,
         Tensor[] outputs, Tensor[] copyFrom, Tensor[] copyTo, Tensor[] allocated, int buffers, long bytes, java.util.function.Supplier<String> layout) {
        this.graph = graph;
        this.device = device;
        this.kernels = kernels;
        this.attrs = attrs;
        this.in = in;
        this.out = out;
        this.labels = labels;
        this.inputs = inputs;
        this.outputs = Collections.unmodifiableList(Arrays.asList(outputs));
        this.copyFrom = copyFrom;
        this.copyTo = copyTo;
        this.allocated = allocated;
        this.buffers = buffers;
        this.bytes = bytes;
        this.layoutText = layout;
    }

    /** The buffer of graph input {@code i}: write the input here before {@link #run}. */
    public Tensor input(int i) {
        return inputs[i];
    }

    public int inputCount() {
        return inputs.length;
    }

    /** Runs every node; returns the outputs (the plan's buffers, overwritten by the next run). */
    public List<Tensor> run(ExecContext ctx) {
        if (closed) throw new JanusException("plan " + graph.name() + " was closed; its buffers are released");
        int k = 0;
        try {
            for (; k < kernels.length; k++) kernels[k].compute(in[k], attrs[k], out[k], ctx);
        } catch (JanusException e) {
            throw new JanusException(labels[k] == null ? e.getMessage() : labels[k] + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < copyFrom.length; i++) copyTo[i].copyFrom(copyFrom[i]);
        return outputs;
    }

    /**
     * Releases the memory of the buffers this plan allocated, now (native and device memory; heap
     * buffers are left to the garbage collector). The plan, and the outputs it returned, must not
     * be used after. Parameters, the model's own tensors, are not touched.
     */
    public void close() {
        if (closed) return;
        closed = true;
        for (Tensor t : allocated) t.storage().close();
    }

    public List<Tensor> outputs() {
        return outputs;
    }

    /** The device its buffers live on and its kernels run on. */
    public Device device() {
        return device;
    }

    /** The buffers node {@code k} of {@link #graph()} reads (code generators lay out their arrays by them). */
    Tensor[] nodeInputs(int k) {
        return in[k];
    }

    /** The buffers node {@code k} of {@link #graph()} writes. */
    Tensor[] nodeOutputs(int k) {
        return out[k];
    }

    /** The optimised graph this plan runs. */
    public Graph graph() {
        return graph;
    }

    /** Buffers the planner allocated for intermediate values (inputs, parameters and constants aside). */
    public int bufferCount() {
        return buffers;
    }

    public long bufferBytes() {
        return bytes;
    }

    /** Parameter updates that could not be computed in place and are copied after each run. */
    public int copiedUpdates() {
        return copyFrom.length;
    }

    /** The graph with the buffer of each value: "b3", "b3 (in place)", "param dense/kernel". */
    public synchronized String layout() {
        if (layout == null) layout = layoutText.get();
        return layout;
    }

    @Override
    public String toString() {
        return layout();
    }
}
