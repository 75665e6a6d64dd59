package dev.janus.export;

import dev.janus.core.Shape;
import dev.janus.core.onnx.OnnxException;

import java.util.List;

/**
 * How a graph is written to ONNX: the opset (13 to 21, default 17; the IR version follows it), the
 * names of the model's inputs and outputs (default: the graph's input names, and its output names
 * where it gave them, else "output", or "output_0", "output_1", ... for several outputs), and the
 * batch dimension: dynamic (the symbol "batch") unless {@link #batchSize(int)} fixes it.
 */
public final class ExportOptions {
    public static final int MIN_OPSET = 13, MAX_OPSET = 21, DEFAULT_OPSET = 17;

    private final int opset, batchSize;
    private final List<String> inputNames, outputNames;
    private final boolean externalData;
    private final QuantizeOptions quantization;

    private ExportOptions(int opset, int batchSize, List<String> inputNames, List<String> outputNames, boolean externalData,
                          QuantizeOptions quantization) {
        this.opset = opset;
        this.batchSize = batchSize;
        this.inputNames = inputNames;
        this.outputNames = outputNames;
        this.externalData = externalData;
        this.quantization = quantization;
    }

    public static ExportOptions defaults() {
        return new ExportOptions(DEFAULT_OPSET, Shape.DYNAMIC, null, null, false, null);
    }

    /**
     * Writes the int8 model instead of the float one: {@link ModelExport} exports, then
     * {@link OnnxQuantizer} quantizes with these options (static with calibration samples, or
     * dynamic) before the file is written. Not with external data (an int8 model is a quarter of
     * the size). Null (the default) writes the float model.
     */
    public ExportOptions quantize(QuantizeOptions options) {
        return new ExportOptions(opset, batchSize, inputNames, outputNames, externalData, options);
    }

    /** The quantization to apply, or null. */
    public QuantizeOptions quantization() {
        return quantization;
    }

    /**
     * Writes the weights (every initializer of 1 KiB or more) to a file beside the model, named
     * after it with ".data" added ("model.onnx.data"), as PyTorch's exporter and onnx's
     * save_as_external_data do; a model over 2 GB can be written no other way. Off by default.
     */
    public ExportOptions externalData(boolean on) {
        return new ExportOptions(opset, batchSize, inputNames, outputNames, on, quantization);
    }

    public boolean externalData() {
        return externalData;
    }

    public ExportOptions opset(int version) {
        if (version < MIN_OPSET || version > MAX_OPSET) {
            throw new OnnxException("opset " + version + " is not supported for export; choose " + MIN_OPSET + " to " + MAX_OPSET);
        }
        return new ExportOptions(version, batchSize, inputNames, outputNames, externalData, quantization);
    }

    public ExportOptions inputNames(String... names) {
        return new ExportOptions(opset, batchSize, List.of(names), outputNames, externalData, quantization);
    }

    public ExportOptions outputNames(String... names) {
        return new ExportOptions(opset, batchSize, inputNames, List.of(names), externalData, quantization);
    }

    /**
     * Fixes the batch dimension (the first of every input) to {@code n}: the graph is specialised to
     * it, so the file has static shapes only.
     */
    public ExportOptions batchSize(int n) {
        if (n <= 0) throw new OnnxException("the batch size must be positive, got " + n);
        return new ExportOptions(opset, n, inputNames, outputNames, externalData, quantization);
    }

    /** Leaves the batch dimension dynamic (the default). */
    public ExportOptions dynamicBatch() {
        return new ExportOptions(opset, Shape.DYNAMIC, inputNames, outputNames, externalData, quantization);
    }

    public int opset() {
        return opset;
    }

    /** The fixed batch size, or {@link Shape#DYNAMIC}. */
    public int batchSize() {
        return batchSize;
    }

    public boolean isDynamicBatch() {
        return batchSize == Shape.DYNAMIC;
    }

    /** The IR version ONNX pairs with the opset (onnx.helper.VERSION_TABLE): 7 for 13-14, 8 for 15-18, 9 for 19-20, 10 for 21. */
    public int irVersion() {
        return opset <= 14 ? 7 : opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
    }

    /** Null for the defaults. */
    List<String> inputNames() {
        return inputNames;
    }

    List<String> outputNames() {
        return outputNames;
    }
}
