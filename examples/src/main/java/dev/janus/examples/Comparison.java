package dev.janus.examples;

import dev.janus.core.Tensor;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What {@link Compare#run} found: both runs epoch by epoch, their costs, test results and exports, and how far apart they ended. */
public final class Comparison {
    /** One style's run. */
    public static final class Side {
        /** "eager" or "compiled". */
        public final String style;
        /** Per epoch: "loss", "accuracy", "val_loss", "val_accuracy" (as present). */
        public final Map<String, List<Double>> history;
        public final StepClock clock;
        /** The sum of the heap pools' peaks during training, in bytes (garbage not yet collected included). */
        public final long peakHeapBytes;
        /** "loss" and, for class labels, "accuracy" on the test data. */
        public final Map<String, Double> test;
        /** The model's outputs for the test features (eval mode). */
        public final Tensor predictions;
        Compare.OnnxCheck onnx;

        Side(String style, Map<String, List<Double>> history, StepClock clock, long peakHeapBytes, Map<String, Double> test, Tensor predictions) {
            this.style = style;
            this.history = history;
            this.clock = clock;
            this.peakHeapBytes = peakHeapBytes;
            this.test = test;
            this.predictions = predictions;
        }

        /** The ONNX export run in ONNX Runtime, or null when not asked for ({@link Compare.Options#exportTo}). */
        public Compare.OnnxCheck onnx() {
            return onnx;
        }

        /** A logged value per epoch, or null if this run has no such log. */
        public List<Double> get(String key) {
            return history.get(key);
        }
    }

    public final Compare.Options options;
    public final int trainSamples, validationSamples, testSamples;
    public final Side eager, compiled;
    /** The largest |eager - compiled| over all weights after training (in the Keras layout). */
    public final double maxWeightDifference;
    /** Which weights it is in, e.g. "4.weight (transposed) = dense_2/kernel". */
    public final String maxWeightDifferenceAt;

    Comparison(Compare.Options options, int trainSamples, int validationSamples, int testSamples, Side eager, Side compiled,
               WeightTransfer.Difference difference) {
        this.options = options;
        this.trainSamples = trainSamples;
        this.validationSamples = validationSamples;
        this.testSamples = testSamples;
        this.eager = eager;
        this.compiled = compiled;
        this.maxWeightDifference = difference.value;
        this.maxWeightDifferenceAt = difference.where;
    }

    /** How many test samples the two models put in different classes (their outputs' argmax). */
    public int disagreements() {
        Tensor a = eager.predictions, b = compiled.predictions;
        int n = a.dim(0), k = a.numel() / n, differ = 0;
        for (int i = 0; i < n; i++) if (argmax(a, i, k) != argmax(b, i, k)) differ++;
        return differ;
    }

    private static int argmax(Tensor t, int row, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) if (t.readDouble(row * k + j) > t.readDouble(row * k + best)) best = j;
        return best;
    }

    /** The per-epoch table, then the costs, test results, exports and the weight difference. */
    public String report() {
        StringBuilder sb = new StringBuilder();
        String[] keys = {"loss", "accuracy", "val_loss", "val_accuracy"};
        String[] heads = {"loss", "acc", "val_loss", "val_acc"};
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%5s  ", "epoch"));
        int width = 0;
        for (Side s : new Side[] {eager, compiled}) {
            StringBuilder cols = new StringBuilder();
            for (int i = 0; i < keys.length; i++) if (s.get(keys[i]) != null) cols.append(String.format(Locale.ROOT, " %9s", heads[i]));
            head.append(" |").append(cols);
            width = Math.max(width, cols.length());
        }
        sb.append(String.format(Locale.ROOT, "%5s   | %-" + (width - 1) + "s | %s%n", "", "eager (PyTorch style)", "compiled (Keras style)"));
        sb.append(head).append('\n');
        int epochs = eager.get("loss").size();
        for (int e = 0; e < epochs; e++) {
            sb.append(String.format(Locale.ROOT, "%5d  ", e + 1));
            for (Side s : new Side[] {eager, compiled}) {
                sb.append(" |");
                for (String k : keys) {
                    List<Double> v = s.get(k);
                    if (v != null) sb.append(String.format(Locale.ROOT, " %9.4f", e < v.size() ? v.get(e) : Double.NaN));
                }
            }
            sb.append('\n');
        }
        sb.append('\n');
        row(sb, "", "eager", "compiled");
        row(sb, "time per step (median)", micros(eager.clock.medianMicrosPerStep()), micros(compiled.clock.medianMicrosPerStep()));
        row(sb, "allocated per step", bytes(eager.clock.bytesPerStep()), bytes(compiled.clock.bytesPerStep()));
        row(sb, "peak heap while training", bytes(eager.peakHeapBytes), bytes(compiled.peakHeapBytes));
        row(sb, "test loss", f4(eager.test.get("loss")), f4(compiled.test.get("loss")));
        if (eager.test.containsKey("accuracy")) row(sb, "test accuracy", f4(eager.test.get("accuracy")), f4(compiled.test.get("accuracy")));
        if (eager.onnx != null && compiled.onnx != null) {
            row(sb, "ONNX file", eager.onnx.file.toString(), compiled.onnx.file.toString());
            row(sb, "ONNX Runtime vs Janus, max error", sci(eager.onnx.maxError), sci(compiled.onnx.maxError));
            if (!Double.isNaN(eager.onnx.accuracy)) row(sb, "ONNX Runtime test accuracy", f4(eager.onnx.accuracy), f4(compiled.onnx.accuracy));
        }
        sb.append(String.format(Locale.ROOT, "%nlargest difference between the two models' weights after training: %s (%s)%n",
                sci(maxWeightDifference), maxWeightDifferenceAt));
        if (eager.test.containsKey("accuracy")) {
            sb.append(String.format(Locale.ROOT, "test samples the two models classify differently: %d of %d%n", disagreements(), testSamples));
        }
        return sb.toString();
    }

    /** A few plain sentences: did the two styles agree, how fast was each, did the exports hold. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        boolean classes = eager.test.containsKey("accuracy");
        sb.append(String.format(Locale.ROOT, "Both styles trained the same model from the same weights and seed (%d epochs, %d steps each).",
                options.epochs(), eager.clock.steps()));
        if (classes) {
            sb.append(String.format(Locale.ROOT, " Test accuracy: eager %.4f, compiled %.4f; they classify %d of %d test samples differently.",
                    eager.test.get("accuracy"), compiled.test.get("accuracy"), disagreements(), testSamples));
        } else {
            sb.append(String.format(Locale.ROOT, " Test loss: eager %.4f, compiled %.4f.", eager.test.get("loss"), compiled.test.get("loss")));
        }
        sb.append(String.format(Locale.ROOT, " Their weights ended at most %s apart.", sci(maxWeightDifference)));
        sb.append(String.format(Locale.ROOT, " A compiled step took %s, an eager one %s (%.1f× faster compiled).",
                micros(compiled.clock.medianMicrosPerStep()), micros(eager.clock.medianMicrosPerStep()),
                eager.clock.medianMicrosPerStep() / compiled.clock.medianMicrosPerStep()));
        if (eager.onnx != null && compiled.onnx != null) {
            sb.append(String.format(Locale.ROOT, " ONNX Runtime ran both exported files and gave Janus's outputs within %s.",
                    sci(Math.max(eager.onnx.maxError, compiled.onnx.maxError))));
        }
        return wrap(sb.toString(), 100);
    }

    private static void row(StringBuilder sb, String what, String a, String b) {
        sb.append(String.format(Locale.ROOT, "%-34s %-28s %s%n", what, a, b));
    }

    private static String f4(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String sci(double v) {
        return String.format(Locale.ROOT, "%.2e", v);
    }

    private static String micros(double us) {
        return us >= 1000 ? String.format(Locale.ROOT, "%.2f ms", us / 1000) : String.format(Locale.ROOT, "%.1f µs", us);
    }

    private static String bytes(double b) {
        if (b >= 1 << 20) return String.format(Locale.ROOT, "%.1f MB", b / (1 << 20));
        if (b >= 1 << 10) return String.format(Locale.ROOT, "%.1f KB", b / (1 << 10));
        return String.format(Locale.ROOT, "%.0f B", b);
    }

    private static String wrap(String text, int width) {
        StringBuilder out = new StringBuilder();
        int col = 0;
        for (String word : text.split(" ")) {
            if (col > 0 && col + 1 + word.length() > width) {
                out.append('\n');
                col = 0;
            } else if (col > 0) {
                out.append(' ');
                col++;
            }
            out.append(word);
            col += word.length();
        }
        return out.append('\n').toString();
    }
}
