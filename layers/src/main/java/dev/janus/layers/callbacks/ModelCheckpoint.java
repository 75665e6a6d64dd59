package dev.janus.layers.callbacks;

import dev.janus.core.JanusException;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Saves the model after each epoch, as Keras's ModelCheckpoint, to a path that may name the epoch
 * and logged values, for example "model-{epoch:02d}-{val_loss:.2f}.janus" (epochs count from 1 in
 * file names, as in Keras). With {@code saveBestOnly}, only when the monitored value improves.
 */
public final class ModelCheckpoint extends ModelCallback {
    private static final Pattern FIELD = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?}");
    private final String path;
    private final Monitor monitor;
    private boolean saveBestOnly;
    private double best;

    public ModelCheckpoint(String path) {
        this(path, "val_loss", "auto");
    }

    public ModelCheckpoint(String path, String monitor, String mode) {
        this.path = path;
        this.monitor = new Monitor(monitor, mode);
    }

    public ModelCheckpoint saveBestOnly(boolean on) {
        saveBestOnly = on;
        return this;
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        best = monitor.worst();
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if (saveBestOnly) {
            double current = monitor.value(logs, "ModelCheckpoint");
            if (!monitor.improves(current, best, 0)) return;
            best = current;
        }
        model.save(Path.of(fileName(path, epoch + 1, logs)));
    }

    /** Fills {name} and {name:format} fields (Python-style formats: 02d, .4f) from the epoch and logs. */
    static String fileName(String pattern, int epoch, Map<String, Double> logs) {
        Matcher m = FIELD.matcher(pattern);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String key = m.group(1), fmt = m.group(2);
            Object v;
            if (key.equals("epoch")) {
                v = epoch;
            } else {
                v = logs.get(key);
                if (v == null) throw new JanusException("ModelCheckpoint: the path names '" + key + "', which is not logged; logged: " + logs.keySet());
            }
            String text;
            try {
                text = fmt == null ? String.valueOf(v) : String.format(Locale.ROOT, "%" + fmt, v);
            } catch (java.util.IllegalFormatException e) {
                throw new JanusException("ModelCheckpoint: the format '" + fmt + "' does not fit " + key + " = " + v);
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(text));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
