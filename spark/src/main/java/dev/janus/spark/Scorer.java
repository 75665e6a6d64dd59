package dev.janus.spark;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Node;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Ops;
import dev.janus.export.OnnxImporter;
import dev.janus.graph.CompileOptions;
import dev.janus.graph.Executable;
import dev.janus.graph.Plan;
import dev.janus.layers.Model;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A model's prediction compiled once for batches of a fixed size: a Janus model file (its
 * prediction graph, dropout off) or an ONNX file. A short last batch is padded (rows do not see
 * each other in inference), so one plan serves every batch. Not thread-safe: one per thread.
 */
final class Scorer {
    private static final byte[] JANUS_MAGIC = "JANUSMDL".getBytes(StandardCharsets.US_ASCII);

    private final Plan plan;
    private final int batch, width, outputs;
    private final boolean classifier, softmax;
    private final Shape inputShape;
    private final ExecContext ctx = new ExecContext(new Generator(0));

    Scorer(Graph graph, int batch) {
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw new JanusException("scoring takes a model with one input and one output; " + graph.name() + " has "
                    + graph.inputs().size() + " inputs and " + graph.outputs().size() + " outputs");
        }
        TensorType in = graph.inputs().get(0).type(), out = graph.outputs().get(0).type();
        Shape sample = in.shape().sub(1, in.rank());
        if (in.rank() < 1 || !sample.isStatic()) throw new JanusException("scoring: the model's input " + in + " must be [batch, known sizes...]");
        if (!in.dtype().isFloating()) throw new JanusException("scoring: the model takes " + in + "; only float inputs are scored");
        if (out.rank() > 2 || (out.rank() == 2 && out.shape().dim(1) < 1)) {
            throw new JanusException("scoring: the model's output " + out + " must be [batch] or [batch, k]");
        }
        this.batch = batch;
        this.width = sample.size();
        this.inputShape = Shape.of(concat(batch, sample.dims()));
        this.outputs = out.rank() == 2 ? out.shape().dim(1) : 1;
        this.classifier = outputs > 1;
        this.softmax = classifier && !endsInSoftmax(graph);
        plan = new Executable(graph, CompileOptions.defaults()).plan(List.of(inputShape));
        if (plan.input(0).dtype() != DType.FLOAT32 && plan.input(0).dtype() != DType.FLOAT64) {
            throw new JanusException("scoring: unsupported input dtype " + plan.input(0).dtype());
        }
    }

    /** A Janus model file's bytes or an ONNX file's, told apart by the Janus file's magic. */
    static Graph graph(byte[] model, String source) {
        if (model.length >= JANUS_MAGIC.length && Arrays.equals(Arrays.copyOf(model, JANUS_MAGIC.length), JANUS_MAGIC)) {
            return Model.fromBytes(model, source).inferenceGraph();
        }
        try {
            return OnnxImporter.read(model);
        } catch (RuntimeException e) {
            throw new JanusException(source + " is neither a Janus model file nor an ONNX model: " + e.getMessage(), e);
        }
    }

    private static int[] concat(int first, int[] rest) {
        int[] d = new int[rest.length + 1];
        d[0] = first;
        System.arraycopy(rest, 0, d, 1, rest.length);
        return d;
    }

    /** Whether the model's output is already a softmax (then it is the probabilities as it is). */
    private static boolean endsInSoftmax(Graph graph) {
        Node n = graph.outputs().get(0).producer();
        return n != null && n.op() == Ops.SOFTMAX;
    }

    int batch() {
        return batch;
    }

    /** Numbers per row that the model takes. */
    int width() {
        return width;
    }

    /** Numbers per row that it gives. */
    int outputs() {
        return outputs;
    }

    /** More than one output per row: probabilities and a label; else one value (regression). */
    boolean classifier() {
        return classifier;
    }

    /**
     * Scores {@code rows} rows ({@code rows <= batch}) whose features are {@code x[rows * width]};
     * returns {@code rows * outputs()} values: probabilities for a classifier (the softmax of the
     * outputs unless the model ends in one), else the model's values.
     */
    float[] score(float[] x, int rows) {
        float[] full = rows == batch && x.length == batch * width ? x : Arrays.copyOf(x, batch * width);
        if (rows < batch) Arrays.fill(full, rows * width, batch * width, 0f);
        plan.input(0).copyFrom(Tensor.of(full, inputShape.dims()));
        float[] y = plan.run(ctx).get(0).toFloatArray();
        float[] out = Arrays.copyOf(y, rows * outputs);
        if (softmax) for (int r = 0; r < rows; r++) softmaxRow(out, r * outputs, outputs);
        return out;
    }

    private static void softmaxRow(float[] v, int at, int k) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int j = 0; j < k; j++) max = Math.max(max, v[at + j]);
        double[] e = new double[k];
        for (int j = 0; j < k; j++) sum += e[j] = Math.exp(v[at + j] - max);
        for (int j = 0; j < k; j++) v[at + j] = (float) (e[j] / sum);
    }
}
