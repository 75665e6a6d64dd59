package dev.janus.export;

import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.quant.Calibrator;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How {@link OnnxQuantizer} makes an int8 model, as onnxruntime.quantization's
 * {@code quantize_static} and {@code quantize_dynamic} offer it.
 *
 * <ul>
 *   <li>{@link #staticQuantization(Tensor...)}: weights and activations. The activations' ranges
 *       come from running the float model on the calibration samples (one tensor per model input,
 *       samples along the first axis), by min/max (the default), percentile or entropy
 *       ({@link #calibration}); activations are asymmetric uint8 (or int8, {@link #activations}).
 *       Written in the {@link Format#QDQ QDQ} form (QuantizeLinear/DequantizeLinear pairs around the
 *       float ops, which runtimes fuse) or the {@link Format#QOPERATOR QOperator} form
 *       (QLinearConv, QLinearMatMul).</li>
 *   <li>{@link #dynamic()}: weights only; activations are quantized as they come
 *       (DynamicQuantizeLinear, then MatMulInteger and ConvInteger with int32 accumulation).</li>
 * </ul>
 * Either way weights are symmetric int8 per channel (per output channel of a Conv, per output of a
 * MatMul or Gemm), biases int32 (static) and the weights of LSTM and GRU int8 per gate row, dequantized
 * at load (ONNX has no integer recurrent op).
 */
public final class QuantizeOptions {
    /** How the quantized graph is written. */
    public enum Format {
        /** QuantizeLinear/DequantizeLinear around float ops: what onnxruntime's quantize_static writes by default. */
        QDQ,
        /** The quantized operators themselves: QLinearConv, QLinearMatMul, with QuantizeLinear/DequantizeLinear at their edges. */
        QOPERATOR
    }

    private final List<Tensor> calibration;
    private final Calibrator calibrator;
    private final Format format;
    private final boolean int8Activations;
    private final int batchSize;

    private QuantizeOptions(List<Tensor> calibration, Calibrator calibrator, Format format, boolean int8Activations, int batchSize) {
        this.calibration = calibration;
        this.calibrator = calibrator;
        this.format = format;
        this.int8Activations = int8Activations;
        this.batchSize = batchSize;
    }

    /** Static quantization calibrated on these samples: one tensor per model input, samples along the first axis. */
    public static QuantizeOptions staticQuantization(Tensor... calibration) {
        if (calibration.length == 0) throw new JanusException("static quantization needs calibration data: one tensor per model input");
        for (int i = 0; i < calibration.length; i++) {
            Tensor t = Objects.requireNonNull(calibration[i], "calibration tensor");
            if (t.rank() == 0 || t.dim(0) == 0) throw new JanusException("calibration data " + t.type() + " hold no samples");
            // A NaN or infinity would make a range without end or hide in it: refused here, where the data can still be named.
            float[] v = t.toFloatArray();
            int perSample = v.length / t.dim(0);
            for (int k = 0; k < v.length; k++) {
                if (!Float.isFinite(v[k])) {
                    throw new JanusException("calibration data for input " + i + " hold " + v[k] + " at sample " + k / perSample
                            + " (value " + k % perSample + " of that sample): calibration needs finite values");
                }
            }
        }
        return new QuantizeOptions(List.of(calibration), Calibrator.minMax(), Format.QDQ, false, 64);
    }

    /** Dynamic quantization: weights only, no calibration. */
    public static QuantizeOptions dynamic() {
        return new QuantizeOptions(null, null, Format.QOPERATOR, false, 64);
    }

    /** The calibration method (static only): {@link Calibrator#minMax()}, {@link Calibrator#percentile(double)}, {@link Calibrator#entropy()}. */
    public QuantizeOptions calibration(Calibrator method) {
        requireStatic("a calibration method");
        return new QuantizeOptions(calibration, Objects.requireNonNull(method, "method"), format, int8Activations, batchSize);
    }

    public QuantizeOptions format(Format f) {
        requireStatic("the format");
        return new QuantizeOptions(calibration, calibrator, Objects.requireNonNull(f, "format"), int8Activations, batchSize);
    }

    /** "uint8" (asymmetric, the default) or "int8" (asymmetric) activations. */
    public QuantizeOptions activations(String type) {
        requireStatic("the activation type");
        String t = type.toLowerCase(Locale.ROOT);
        if (!t.equals("uint8") && !t.equals("int8")) throw new JanusException("activations are uint8 or int8, got '" + type + "'");
        return new QuantizeOptions(calibration, calibrator, format, t.equals("int8"), batchSize);
    }

    /** Samples per run of the float model while calibrating (default 64). */
    public QuantizeOptions batchSize(int n) {
        if (n <= 0) throw new JanusException("the calibration batch size must be positive, got " + n);
        return new QuantizeOptions(calibration, calibrator, format, int8Activations, n);
    }

    private void requireStatic(String what) {
        if (calibration == null) throw new JanusException("dynamic quantization takes no " + what + " (it has no calibration)");
    }

    public boolean isStatic() {
        return calibration != null;
    }

    public Format format() {
        return format;
    }

    public Calibrator calibrator() {
        return calibrator;
    }

    public boolean int8Activations() {
        return int8Activations;
    }

    List<Tensor> calibrationData() {
        return calibration;
    }

    int batchSize() {
        return batchSize;
    }

    /** "static QDQ, minmax calibration, uint8 activations" or "dynamic". */
    @Override
    public String toString() {
        if (!isStatic()) return "dynamic (weights int8, activations quantized as they come)";
        return "static " + format + ", " + calibrator + " calibration, " + (int8Activations ? "int8" : "uint8") + " activations";
    }
}
