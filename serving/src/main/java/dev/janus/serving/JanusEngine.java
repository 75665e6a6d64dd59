package dev.janus.serving;

import dev.janus.core.Generator;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.ExecContext;
import dev.janus.export.OnnxImporter;
import dev.janus.graph.CompileOptions;
import dev.janus.graph.Executable;

import java.util.ArrayList;
import java.util.List;

/** A model on Janus's compiler: the ONNX graph imported and compiled, a plan per batch shape (merged batches padded to a few sizes). */
final class JanusEngine implements Engine {
    private final Graph graph;
    private final Executable executable;
    private final List<TensorSpec> inputs = new ArrayList<>(), outputs = new ArrayList<>();

    JanusEngine(byte[] onnx) {
        graph = OnnxImporter.read(onnx);
        executable = new Executable(graph, CompileOptions.defaults());
        for (Value v : graph.inputs()) inputs.add(new TensorSpec(v.name(), v.type().dtype(), v.type().shape()));
        for (int i = 0; i < graph.outputs().size(); i++) {
            Value v = graph.outputs().get(i);
            outputs.add(new TensorSpec(graph.outputName(i), v.type().dtype(), v.type().shape()));
        }
    }

    @Override
    public String platform() {
        return "janus";
    }

    @Override
    public List<TensorSpec> inputs() {
        return inputs;
    }

    @Override
    public List<TensorSpec> outputs() {
        return outputs;
    }

    @Override
    public int paddedRows(int rows, int maxBatchSize) {
        return rows <= 1 ? rows : Math.min(maxBatchSize, Integer.highestOneBit(rows - 1) << 1);
    }

    /**
     * Every worker runs the one executable (thread-safe: each concurrent call runs on a plan of
     * its own, made once per worker and size, the passes run once per size), with a context of its own.
     */
    @Override
    public Runner newRunner() {
        ExecContext ctx = new ExecContext(new Generator(0));
        return in -> executable.run(ctx, in);
    }

    @Override
    public void close() {
    }
}
