package dev.janus.export;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.GraphEmitter;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Emitter;
import dev.janus.layers.Layer;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An imported ONNX model as a Keras-style layer, as Keras's {@code TFSMLayer} wraps a SavedModel:
 * it applies the imported graph to its input, and the model's float initializers are its weights
 * (named "{layer}/{initializer}"; trainable, unless the model was imported with
 * {@code ImportOptions.trainable(false)}). Inside a {@link dev.janus.layers.Sequential} it predicts
 * through the compiler, and {@code fit} fine-tunes it, compiled or eagerly:
 *
 * <pre>{@code
 * Sequential model = new Sequential(new Input(4), OnnxLayer.load(Path.of("model.onnx")));
 * model.compile("adam", Losses.sparseCategoricalCrossentropy(true), List.of("accuracy"));
 * model.fit(x, y, new Fit().epochs(5));
 * }</pre>
 *
 * <p>The weights start as copies of the initializers; the imported graph is left as it is. The
 * model must have one input and one output. A model holding this layer cannot be saved with
 * {@code Sequential.save} (export it with {@link ModelExport} instead).
 */
public final class OnnxLayer extends Layer {
    private final Graph graph;
    private final Map<Value, Integer> weightOf = new HashMap<>();

    /** Wraps an imported graph ({@link OnnxImporter#load}). */
    public OnnxLayer(Graph graph) {
        super(null);
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw new JanusException("OnnxLayer: a layer takes one input and gives one output; the model " + graph.name() + " has "
                    + graph.inputs().size() + " inputs and " + graph.outputs().size() + " outputs");
        }
        this.graph = graph;
    }

    /** Imports the ONNX file at {@code path} (float initializers trainable) and wraps it. */
    public static OnnxLayer load(Path path) {
        return new OnnxLayer(OnnxImporter.load(path));
    }

    /** The imported graph this layer applies. */
    public Graph graph() {
        return graph;
    }

    @Override
    protected Shape create(Shape input, DType dtype, Generator rng) {
        TensorType declared = graph.inputs().get(0).type();
        if (dtype != declared.dtype() || !input.compatible(declared.shape())) {
            throw new ShapeException(name() + ": the imported model takes " + declared + ", got inputs " + new TensorType(dtype, input));
        }
        // The output shape is what the ops' shape rules give for this input, checked node by node now.
        Graph probe = new Graph(name());
        Value x = probe.input("input", new TensorType(dtype, input));
        Value out;
        try {
            out = GraphCall.call(graph, new GraphEmitter(probe), List.of(x), p -> probe.constant(graph.parameterValue(p))).get(0);
        } catch (ShapeException e) {
            throw new ShapeException(name() + ": the imported model does not fit inputs " + new TensorType(dtype, input) + ": " + e.getMessage());
        }
        for (Value p : graph.parameters()) {
            weightOf.put(p, weights().size());
            addWeight(p.name(), graph.parameterValue(p).copy(), graph.isTrainable(p));
        }
        return out.type().shape();
    }

    @Override
    public <V> V call(Emitter<V> e, V x, List<V> weights, boolean training) {
        return GraphCall.call(graph, e, List.of(x), p -> weights.get(weightOf.get(p))).get(0);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = super.config();
        c.put("model", graph.name());
        return c;
    }
}
