package dev.janus.export;

import dev.janus.core.Tensor;

import java.util.Map;

/**
 * How an ONNX model is read: which graph inputs to fix as constants (core ops take shapes and axes
 * as attributes, so an input that is a shape must be known when the model is read), and whether
 * float initializers become trainable parameters (the default, so an imported model can be
 * fine-tuned) or frozen ones.
 */
public final class ImportOptions {
    private final Map<String, Tensor> constants;
    private final boolean trainable;

    private ImportOptions(Map<String, Tensor> constants, boolean trainable) {
        this.constants = constants;
        this.trainable = trainable;
    }

    public static ImportOptions defaults() {
        return new ImportOptions(Map.of(), true);
    }

    /** Fixes the named graph inputs to these values: they become constants and are no longer inputs. */
    public ImportOptions constants(Map<String, Tensor> values) {
        return new ImportOptions(Map.copyOf(values), trainable);
    }

    public ImportOptions trainable(boolean on) {
        return new ImportOptions(constants, on);
    }

    Map<String, Tensor> constants() {
        return constants;
    }

    boolean trainable() {
        return trainable;
    }
}
