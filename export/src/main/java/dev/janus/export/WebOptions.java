package dev.janus.export;

import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.data.StandardScaler;

import java.util.List;

/**
 * How {@link ModelExport#toWeb} writes a model's page: its title, the form (one number per feature,
 * a drawing canvas for images, or a box of numbers; chosen from the input's shape unless set), the
 * feature and class names, the standardisation the model was trained with, example inputs, and
 * what runs the model: the JavaScript Janus generates (the default) or onnxruntime-web.
 */
public final class WebOptions {
    /** The form that feeds the model. */
    public enum Form {
        /** FEATURES for a sample of one axis ([features]), IMAGE for [height, width] with a channel axis of 1 or none, else NUMBERS. */
        AUTO,
        /** A labelled number field per feature. */
        FEATURES,
        /** A canvas to draw on, downsampled to the model's height and width (a digit, say). */
        IMAGE,
        /** A box for all of a sample's numbers. */
        NUMBERS
    }

    /** onnxruntime-web from the CDN, pinned to the version the tests and benchmarks use. */
    public static final String ONNXRUNTIME_WEB_CDN = "https://cdn.jsdelivr.net/npm/onnxruntime-web@1.30.0/dist/ort.min.js";

    private String title;
    private Form form = Form.AUTO;
    private List<String> features, classes, exampleNames;
    private double[] mean, scale;
    private Tensor examples;
    private double paper = 0, ink = 1;
    private int batchSize = 1;
    private String onnxRuntimeUrl;
    private ExportOptions onnx = ExportOptions.defaults();

    public static WebOptions defaults() {
        return new WebOptions();
    }

    /** The page's heading (default: the model's name). */
    public WebOptions title(String t) {
        title = t;
        return this;
    }

    public WebOptions form(Form f) {
        form = f;
        return this;
    }

    /** Names of the input features, one per number of a sample (the form's labels). */
    public WebOptions features(List<String> names) {
        features = List.copyOf(names);
        return this;
    }

    /** Names of the classes, one per output of a sample. */
    public WebOptions classes(List<String> names) {
        classes = List.copyOf(names);
        return this;
    }

    /**
     * The model was trained on (x - mean) / scale: the form takes features as they are and the
     * page standardises them before the model.
     */
    public WebOptions standardise(double[] mean, double[] scale) {
        if (mean.length != scale.length) throw new JanusException("standardise: " + mean.length + " means but " + scale.length + " scales");
        for (double s : scale) if (!(s != 0 && Double.isFinite(s))) throw new JanusException("standardise: a scale of " + s + " cannot divide");
        this.mean = mean.clone();
        this.scale = scale.clone();
        return this;
    }

    public WebOptions standardise(StandardScaler scaler) {
        return standardise(scaler.mean(), scaler.scale());
    }

    /**
     * Inputs the page offers to try, [k, sample...] as the form takes them (before any
     * standardisation), each named (a class, say) or null.
     */
    public WebOptions examples(Tensor samples, List<String> names) {
        examples = samples;
        exampleNames = names == null ? null : List.copyOf(names);
        return this;
    }

    /** What an image's blank paper and full ink are in the model's input (default 0 and 1). */
    public WebOptions imageValues(double paperValue, double inkValue) {
        paper = paperValue;
        ink = inkValue;
        return this;
    }

    /** How many samples the generated plan runs at once (default 1: a page predicts one at a time). */
    public WebOptions batchSize(int n) {
        if (n < 1) throw new JanusException("the batch size must be positive, got " + n);
        batchSize = n;
        return this;
    }

    /**
     * The page runs model.onnx with onnxruntime-web loaded from {@code scriptUrl} (a path relative
     * to the page, or a URL; null for {@link #ONNXRUNTIME_WEB_CDN}) instead of the generated JavaScript.
     */
    public WebOptions onnxRuntimeWeb(String scriptUrl) {
        onnxRuntimeUrl = scriptUrl == null ? ONNXRUNTIME_WEB_CDN : scriptUrl;
        return this;
    }

    /** How model.onnx is written for onnxruntime-web (the opset; the input is named "input"). */
    public WebOptions onnx(ExportOptions options) {
        onnx = options;
        return this;
    }

    String title() {
        return title;
    }

    Form form() {
        return form;
    }

    List<String> features() {
        return features;
    }

    List<String> classes() {
        return classes;
    }

    double[] mean() {
        return mean;
    }

    double[] scale() {
        return scale;
    }

    Tensor examples() {
        return examples;
    }

    List<String> exampleNames() {
        return exampleNames;
    }

    double paper() {
        return paper;
    }

    double ink() {
        return ink;
    }

    int batchSize() {
        return batchSize;
    }

    /** Null when the generated JavaScript runs the model. */
    String onnxRuntimeUrl() {
        return onnxRuntimeUrl;
    }

    ExportOptions onnx() {
        return onnx;
    }
}
