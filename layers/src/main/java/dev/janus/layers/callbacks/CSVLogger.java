package dev.janus.layers.callbacks;

import dev.janus.core.JanusException;
import dev.janus.core.io.AtomicFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Writes each epoch's logs to a CSV file, as Keras's CSVLogger: a header "epoch,accuracy,loss,..."
 * (keys sorted), then one row per epoch. The file is rewritten whole after each epoch through a
 * temporary file and a rename, so it is never half written.
 */
public final class CSVLogger implements Callback {
    private final Path path;
    private final String separator;
    private final boolean append;
    private final List<String> lines = new ArrayList<>();
    private List<String> keys;

    public CSVLogger(Path path) {
        this(path, ",", false);
    }

    public CSVLogger(Path path, String separator, boolean append) {
        this.path = path;
        this.separator = separator;
        this.append = append;
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        lines.clear();
        keys = null;
        if (append && Files.exists(path)) {
            try {
                lines.addAll(Files.readAllLines(path, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new JanusException("CSVLogger: cannot read " + path + ": " + e, e);
            }
            if (!lines.isEmpty()) keys = List.of(lines.get(0).split(java.util.regex.Pattern.quote(separator)));
            if (keys != null) keys = keys.subList(1, keys.size());
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if (keys == null) {
            keys = new ArrayList<>(new TreeSet<>(logs.keySet()));
            lines.add("epoch" + separator + String.join(separator, keys));
        }
        StringBuilder row = new StringBuilder(Integer.toString(epoch));
        for (String k : keys) {
            Double v = logs.get(k);
            row.append(separator).append(v == null ? "NA" : String.format(Locale.ROOT, "%s", v));
        }
        lines.add(row.toString());
        write();
    }

    private void write() {
        AtomicFile.write(path, (String.join(System.lineSeparator(), lines) + System.lineSeparator()).getBytes(StandardCharsets.UTF_8),
                "training log");
    }
}
