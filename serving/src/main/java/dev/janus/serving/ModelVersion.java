package dev.janus.serving;

import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.export.ExportOptions;
import dev.janus.export.OnnxExporter;
import dev.janus.layers.Sequential;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One loaded version of a model: its engine, its input and output tensors as the protocols show
 * them, the validation every request passes before it is queued, and its {@link Scheduler}.
 */
final class ModelVersion {
    final String model;
    final long version;
    final Engine engine;
    /** 0: the model does not batch, requests give whole tensors; else the largest batch a request or a merged batch may have. */
    final int maxBatchSize;
    final ServerMetrics.ModelSeries series;
    private final List<TensorSpec> inputs, outputs;
    private final Scheduler scheduler;

    private ModelVersion(String model, long version, Engine engine, int maxBatchSize, ModelConfig config, ServerSettings settings,
                         ServerMetrics metrics) {
        this.model = model;
        this.version = version;
        this.engine = engine;
        this.maxBatchSize = maxBatchSize;
        this.inputs = visible(engine.inputs());
        this.outputs = visible(engine.outputs());
        this.series = metrics.model(model, version);
        boolean batching = config.dynamicBatching && maxBatchSize > 0;
        int instances = config.instanceCount > 0 ? config.instanceCount : batching ? 1 : settings.instances;
        int queue = config.maxQueueSize > 0 ? config.maxQueueSize : settings.maxQueueSize;
        this.scheduler = new Scheduler(model + "/" + version, engine, instances, batching, maxBatchSize, config.maxQueueDelayMicros, queue, series);
    }

    /**
     * Loads {@code file} (model.onnx, or model.janus, a saved Sequential), checks that it runs (a
     * batch of one, zeros), and starts its workers. Throws with the reason when the file is corrupt,
     * uses what the engine lacks, or does not fit its config.
     */
    static ModelVersion load(String model, long version, Path file, ModelConfig config, ServerSettings settings, ServerMetrics metrics) {
        byte[] onnx = onnxBytes(file);
        Engine engine = config.backend == ModelConfig.Backend.ONNXRUNTIME ? new OrtEngine(onnx) : new JanusEngine(onnx);
        try {
            int maxBatch = maxBatchSize(engine, config, settings);
            smokeTest(engine, maxBatch);
            return new ModelVersion(model, version, engine, maxBatch, config, settings, metrics);
        } catch (RuntimeException | StackOverflowError e) {
            engine.close();
            throw e;
        }
    }

    private static byte[] onnxBytes(Path file) {
        if (file.getFileName().toString().endsWith(".janus")) {
            // A saved Keras-style model is served as its exported inference graph: the same names ("input", "output") as its ONNX file.
            return OnnxExporter.toBytes(Sequential.load(file).inferenceGraph(), ExportOptions.defaults().inputNames("input"));
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new JanusException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static int maxBatchSize(Engine engine, ModelConfig config, ServerSettings settings) {
        boolean batchable = !engine.inputs().isEmpty();
        for (TensorSpec s : engine.inputs()) batchable &= s.shape.length > 0 && s.shape[0] == Shape.DYNAMIC;
        if (config.maxBatchSize == null) return batchable ? settings.maxBatchSize : 0;
        if (config.maxBatchSize > 0 && !batchable) {
            throw new JanusException("max_batch_size is " + config.maxBatchSize + ", but not every input has a dynamic first dimension: " + engine.inputs());
        }
        return config.maxBatchSize;
    }

    /** One run on zeros (a batch of one; other unknown sizes 1): a model that cannot run is refused at load, not on the first request. */
    private static void smokeTest(Engine engine, int maxBatch) {
        Tensor[] in = new Tensor[engine.inputs().size()];
        for (int i = 0; i < in.length; i++) in[i] = engine.inputs().get(i).zeros(1);
        List<Tensor> out = engine.newRunner().run(in);
        if (out.size() != engine.outputs().size()) {
            throw new JanusException("the model gave " + out.size() + " outputs, it declares " + engine.outputs().size());
        }
        for (int i = 0; i < out.size(); i++) {
            if (maxBatch > 0 && (out.get(i).rank() == 0 || out.get(i).dim(0) != 1)) {
                throw new JanusException("output '" + engine.outputs().get(i).name + "' is " + out.get(i).shape()
                        + " for a batch of one: a batching model's outputs must keep the batch dimension first");
            }
        }
    }

    /** As the protocols show them: with batching, the first dimension is the batch (-1). */
    private List<TensorSpec> visible(List<TensorSpec> specs) {
        if (maxBatchSize == 0) return specs;
        List<TensorSpec> out = new ArrayList<>();
        for (TensorSpec s : specs) {
            int[] dims = s.shape.clone();
            if (dims.length > 0) dims[0] = Shape.DYNAMIC;
            out.add(new TensorSpec(s.name, s.dtype, Shape.of(dims)));
        }
        return out;
    }

    List<TensorSpec> inputs() {
        return inputs;
    }

    List<TensorSpec> outputs() {
        return outputs;
    }

    String platform() {
        return engine.platform();
    }

    /** True when both take and give the same tensors (names, types, shapes): a new version may replace this one. */
    boolean compatibleWith(ModelVersion o) {
        return same(inputs, o.inputs) && same(outputs, o.outputs) && maxBatchSize == o.maxBatchSize;
    }

    private static boolean same(List<TensorSpec> a, List<TensorSpec> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) if (!a.get(i).sameAs(b.get(i))) return false;
        return true;
    }

    String describe() {
        return "inputs " + inputs + ", outputs " + outputs + ", max_batch_size " + maxBatchSize;
    }

    /**
     * The request's inputs in the model's order, each checked against the model (name, dtype,
     * shape, batch size); throws a 400 naming what does not fit.
     */
    Tensor[] prepare(Map<String, Tensor> named) {
        for (String name : named.keySet()) {
            if (spec(name) == null) throw ServingException.badRequest("model '" + model + "' has no input named " + ServingException.quote(name) + "; its inputs are " + inputs);
        }
        Tensor[] out = new Tensor[inputs.size()];
        int batch = -1;
        for (int i = 0; i < out.length; i++) {
            TensorSpec s = inputs.get(i);
            Tensor t = named.get(s.name);
            if (t == null) throw ServingException.badRequest("input '" + s.name + "' is missing; model '" + model + "' takes " + inputs);
            if (t.dtype() != s.dtype) {
                throw ServingException.badRequest("input '" + s.name + "' has datatype " + Datatypes.v2Name(t.dtype()) + ", model '" + model
                        + "' expects " + s.datatype());
            }
            int[] dims = t.shape().dims();
            boolean fits = dims.length == s.shape.length;
            for (int d = 0; fits && d < dims.length; d++) fits = s.shape[d] == Shape.DYNAMIC || s.shape[d] == dims[d];
            if (!fits) {
                throw ServingException.badRequest("input '" + s.name + "' has shape " + Arrays.toString(dims) + ", model '" + model + "' expects "
                        + Arrays.toString(s.shape) + (maxBatchSize > 0 ? " (the first dimension is the batch)" : ""));
            }
            if (maxBatchSize > 0) {
                if (dims[0] < 1) throw ServingException.badRequest("input '" + s.name + "' has an empty batch");
                if (dims[0] > maxBatchSize) {
                    throw ServingException.badRequest("input '" + s.name + "' has a batch of " + dims[0] + ", over model '" + model
                            + "''s max_batch_size " + maxBatchSize);
                }
                if (batch >= 0 && dims[0] != batch) throw ServingException.badRequest("the inputs' batch sizes differ (" + batch + " and " + dims[0] + ")");
                batch = dims[0];
            }
            out[i] = t;
        }
        return out;
    }

    /** Queues validated inputs ({@link #prepare}); the future holds the outputs in the model's order. */
    CompletableFuture<List<Tensor>> infer(Tensor[] inputs) {
        int rows = maxBatchSize > 0 && inputs.length > 0 ? inputs[0].dim(0) : 1;
        return scheduler.submit(inputs, rows);
    }

    private TensorSpec spec(String name) {
        for (TensorSpec s : inputs) if (s.name.equals(name)) return s;
        return null;
    }

    void close(long timeoutMillis) {
        scheduler.close(timeoutMillis);
    }

    @Override
    public String toString() {
        return model + "/" + version;
    }
}
