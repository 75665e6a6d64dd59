package dev.janus.serving;

import dev.janus.core.Tensor;

import java.util.List;

/**
 * A loaded model that runs inferences: the compiled plan of Janus or an ONNX Runtime session. Each
 * worker of a model's scheduler runs through its own {@link Runner}.
 */
interface Engine extends AutoCloseable {
    /** The platform name reported in the model metadata ("janus", "onnxruntime_onnx"). */
    String platform();

    List<TensorSpec> inputs();

    List<TensorSpec> outputs();

    /**
     * The rows a batch of {@code rows} runs as, at most {@code maxBatchSize}; the extra rows are
     * copies of the last one, their outputs dropped. Janus compiles a plan per input shape, so it
     * rounds merged batches up to powers of two, whose plans are compiled when the model loads;
     * ONNX Runtime takes any size as it comes.
     */
    default int paddedRows(int rows, int maxBatchSize) {
        return rows;
    }

    /** A runner for one worker thread. */
    Runner newRunner();

    @Override
    void close();

    interface Runner {
        /**
         * Runs on one tensor per model input, in the model's order; the outputs, in the model's
         * order, may be the runner's own buffers, valid until its next run.
         */
        List<Tensor> run(Tensor[] inputs);
    }
}
