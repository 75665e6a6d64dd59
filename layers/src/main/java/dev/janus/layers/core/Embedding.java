package dev.janus.layers.core;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.init.Initializer;
import dev.janus.core.ops.Emitter;
import dev.janus.layers.InitializerNames;
import dev.janus.layers.Layer;
import dev.janus.layers.LayerConfig;

import java.util.List;
import java.util.Map;

/**
 * A lookup table, as Keras's Embedding: integer indices (batch, ...) give rows of the embeddings
 * [input_dim, output_dim], (batch, ..., output_dim); initialised "uniform" (U(-0.05, 0.05)). A
 * model's data is float, so the indices arrive as float values and are cast to int64 (as Keras
 * casts them); an index outside [0, input_dim) is an error.
 */
public final class Embedding extends Layer {
    private final int inputDim, outputDim;
    private Initializer initializer = InitializerNames.get("uniform");
    private String initializerName = "uniform";

    public Embedding(int inputDim, int outputDim) {
        super(null);
        if (inputDim <= 0 || outputDim <= 0) {
            throw new JanusException("Embedding: input_dim and output_dim must be positive, got " + inputDim + " and " + outputDim);
        }
        this.inputDim = inputDim;
        this.outputDim = outputDim;
    }

    public Embedding embeddingsInitializer(String name) {
        unbuilt();
        initializer = InitializerNames.get(name);
        initializerName = name;
        return this;
    }

    public Embedding named(String name) {
        unbuilt();
        name(name);
        return this;
    }

    @Override
    protected Shape create(Shape input, DType dtype, Generator rng) {
        if (input.rank() < 1) throw new ShapeException(name() + ": Embedding expected input (batch, ...), got " + describe(input));
        Shape s = Shape.of(inputDim, outputDim);
        addWeight("embeddings", initializer, s, dtype, rng);
        return input.concat(Shape.of(outputDim));
    }

    @Override
    public <V> V call(Emitter<V> e, V x, List<V> weights, boolean training) {
        return e.gather(weights.get(0), e.cast(x, DType.INT64), 0);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = super.config();
        c.put("input_dim", inputDim);
        c.put("output_dim", outputDim);
        c.put("embeddings_initializer", initializerName);
        return c;
    }

    /** Rebuilds the layer from its {@link #config()}, as a saved model holds it. */
    public static Embedding fromConfig(LayerConfig c) {
        Embedding emb = new Embedding(c.integer("input_dim"), c.integer("output_dim"));
        if (c.initializer("embeddings_initializer") != null) emb.embeddingsInitializer(c.initializer("embeddings_initializer"));
        return emb;
    }
}
