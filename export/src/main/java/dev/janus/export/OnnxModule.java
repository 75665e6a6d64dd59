package dev.janus.export;

import dev.janus.core.JanusException;
import dev.janus.core.ShapeException;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Value;
import dev.janus.eager.EagerEmitter;
import dev.janus.core.Tensor;
import dev.janus.eager.nn.NNModule;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An imported ONNX model as an eager {@link NNModule}: the model's trainable float initializers are
 * the module's parameters, under their ONNX names (a dotted name such as "fc1.weight" reads as in
 * PyTorch: parameter "weight" of the child "fc1"), and {@link #forward} applies the imported graph
 * through the eager engine, so {@code backward()} reaches them and an {@code EagerOptimizer}
 * fine-tunes them. State (batch norm's running mean and variance) and initializers imported frozen
 * ({@code ImportOptions.trainable(false)}) are buffers, as PyTorch keeps running statistics: in
 * the state dict, never moved by a gradient step.
 *
 * <pre>{@code
 * OnnxModule model = OnnxModule.load(Path.of("model.onnx"));
 * Tensor loss = new CrossEntropyLoss().forward(model.forward(x), y);
 * loss.backward();
 * }</pre>
 *
 * <p>The parameters start as copies of the initializers; the imported graph is left as it is.
 */
public final class OnnxModule extends NNModule {
    private final Graph graph;
    private final Map<Value, Tensor> values = new HashMap<>();
    private final Map<String, ParameterGroup> groups = new HashMap<>();

    /** Wraps an imported graph ({@link OnnxImporter#load}). */
    public OnnxModule(Graph graph) {
        this.graph = graph;
        for (Value p : graph.parameters()) {
            Tensor t = graph.parameterValue(p).copy();
            boolean buffer = !graph.isTrainable(p);
            try {
                String[] path = p.name().split("\\.", -1);
                if (path.length > 1) groups.computeIfAbsent(path[0], k -> registerModule(k, new ParameterGroup())).place(path, 1, t, buffer);
                else if (buffer) registerBuffer(path[0], t);
                else registerParameter(path[0], t);
            } catch (JanusException e) {
                throw new JanusException("OnnxModule: the initializer '" + p.name() + "' cannot be a " + (buffer ? "buffer" : "parameter")
                        + " of that name: " + e.getMessage());
            }
            values.put(p, t);
        }
    }

    /** Imports the ONNX file at {@code path} (float initializers trainable) and wraps it. */
    public static OnnxModule load(Path path) {
        return new OnnxModule(OnnxImporter.load(path));
    }

    /** The imported graph this module applies. */
    public Graph graph() {
        return graph;
    }

    /** The model's one output for its one input. */
    @Override
    public Tensor forward(Tensor input) {
        if (graph.outputs().size() != 1) {
            throw new JanusException("OnnxModule: the model " + graph.name() + " has " + graph.outputs().size() + " outputs; use forward(List)");
        }
        return forward(List.of(input)).get(0);
    }

    /** The model's outputs for its inputs, in the graph's order. */
    public List<Tensor> forward(List<Tensor> inputs) {
        List<Value> declared = graph.inputs();
        if (inputs.size() != declared.size()) {
            throw new JanusException("OnnxModule: the model " + graph.name() + " takes " + declared.size() + " inputs, got " + inputs.size());
        }
        for (int i = 0; i < declared.size(); i++) {
            TensorType want = declared.get(i).type(), got = inputs.get(i).type();
            if (want.dtype() != got.dtype() || !want.shape().compatible(got.shape())) {
                throw new ShapeException("OnnxModule: input '" + declared.get(i).name() + "' expects " + want + ", got " + got);
            }
        }
        return GraphCall.call(graph, new EagerEmitter(), inputs, values::get);
    }

    @Override
    protected String extraRepr() {
        return graph.name();
    }

    /** Holds the parameters whose ONNX names share a dotted prefix ("fc1." of "fc1.weight"). */
    private static final class ParameterGroup extends NNModule {
        private final Map<String, ParameterGroup> groups = new HashMap<>();

        void place(String[] path, int at, Tensor t, boolean buffer) {
            if (at < path.length - 1) groups.computeIfAbsent(path[at], k -> registerModule(k, new ParameterGroup())).place(path, at + 1, t, buffer);
            else if (buffer) registerBuffer(path[at], t);
            else registerParameter(path[at], t);
        }

        @Override
        public Tensor forward(Tensor input) {
            throw new JanusException("a group of imported parameters has no forward of its own");
        }
    }
}
