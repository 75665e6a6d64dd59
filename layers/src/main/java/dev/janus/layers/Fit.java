package dev.janus.layers;

import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.layers.callbacks.Callback;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings of {@link Model#fit}, with Keras's names and defaults:
 * {@code new Fit().epochs(50).batchSize(16).validationSplit(0.2)}.
 */
public final class Fit {
    private int epochs = 1, batchSize = 32, verbose = 1;
    private double validationSplit;
    private List<Tensor> validationX, validationY;
    private boolean shuffle = true;
    private final List<Callback> callbacks = new ArrayList<>();
    private Tensor sampleWeight, validationSampleWeight;
    private Map<Integer, Double> classWeight;

    public Fit epochs(int n) {
        if (n < 0) throw new JanusException("fit: epochs must be >= 0, got " + n);
        epochs = n;
        return this;
    }

    public Fit batchSize(int n) {
        if (n < 1) throw new JanusException("fit: batch size must be >= 1, got " + n);
        batchSize = n;
        return this;
    }

    /** The last fraction of the samples (taken before shuffling) is held out to validate on. */
    public Fit validationSplit(double fraction) {
        if (!(fraction >= 0 && fraction < 1)) throw new JanusException("fit: validation split must be in [0, 1), got " + fraction);
        validationSplit = fraction;
        return this;
    }

    /** Samples to validate on after each epoch (instead of a split). */
    public Fit validationData(Tensor x, Tensor y) {
        return validationData(x == null ? null : List.of(x), y == null ? null : List.of(y));
    }

    /** Validation samples of a model of several inputs or outputs: one tensor per input and per output. */
    public Fit validationData(List<Tensor> x, List<Tensor> y) {
        return validationData(x, y, null);
    }

    /** Validation samples with a weight each (Keras's (x, y, sample_weight)): the validation losses are weighted as fit's. */
    public Fit validationData(Tensor x, Tensor y, Tensor sampleWeight) {
        return validationData(x == null ? null : List.of(x), y == null ? null : List.of(y), sampleWeight);
    }

    public Fit validationData(List<Tensor> x, List<Tensor> y, Tensor sampleWeight) {
        validationX = x == null ? null : Collections.unmodifiableList(new ArrayList<>(x));
        validationY = y == null ? null : Collections.unmodifiableList(new ArrayList<>(y));
        validationSampleWeight = sampleWeight;
        return this;
    }

    /** Shuffle the training samples before each epoch (default true). */
    public Fit shuffle(boolean on) {
        shuffle = on;
        return this;
    }

    public Fit callbacks(Callback... cs) {
        callbacks.addAll(Arrays.asList(cs));
        return this;
    }

    /**
     * A weight per training sample [n]: each sample's loss counts that much, as Keras's
     * sample_weight (the batch loss is the mean of the weighted per-sample losses; the metrics are
     * not weighted). A validation split keeps the weights of the samples it holds out. One tensor
     * applies to every output of a model of several.
     */
    public Fit sampleWeight(Tensor weights) {
        sampleWeight = weights;
        return this;
    }

    /**
     * A weight per class index, as Keras's class_weight: each training sample's loss counts the
     * weight of its label's class (1 for a class not in the map); a model of one output, not with
     * {@link #sampleWeight}. Validation is not weighted.
     */
    public Fit classWeight(Map<Integer, Double> weights) {
        if (weights != null) {
            for (Map.Entry<Integer, Double> e : weights.entrySet()) {
                if (e.getKey() == null || e.getValue() == null || !Double.isFinite(e.getValue())) {
                    throw new JanusException("fit: class weight " + e.getValue() + " of class " + e.getKey() + " is not a finite number");
                }
            }
        }
        classWeight = weights == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(weights));
        return this;
    }

    public Tensor sampleWeight() {
        return sampleWeight;
    }

    public Tensor validationSampleWeight() {
        return validationSampleWeight;
    }

    public Map<Integer, Double> classWeight() {
        return classWeight;
    }

    /** 0 silent, 1 a progress bar per epoch (default), 2 one line per epoch. */
    public Fit verbose(int level) {
        if (level < 0 || level > 2) throw new JanusException("fit: verbose must be 0, 1 or 2, got " + level);
        verbose = level;
        return this;
    }

    public int epochs() {
        return epochs;
    }

    public int batchSize() {
        return batchSize;
    }

    public double validationSplit() {
        return validationSplit;
    }

    public List<Tensor> validationX() {
        return validationX;
    }

    public List<Tensor> validationY() {
        return validationY;
    }

    public boolean shuffle() {
        return shuffle;
    }

    public List<Callback> callbacks() {
        return Collections.unmodifiableList(callbacks);
    }

    public int verbose() {
        return verbose;
    }
}
