package dev.janus.layers;

import java.util.Locale;

/** The Keras summary table: each layer with its output shape and parameter count, then the totals. */
final class Summary {
    private static final int[] POSITIONS = {29, 55, 65};
    private static final int WIDTH = 65;

    private Summary() {
    }

    static String of(Sequential model) {
        StringBuilder sb = new StringBuilder();
        sb.append("Model: \"").append(model.name()).append("\"\n");
        sb.append("_".repeat(WIDTH)).append('\n');
        row(sb, "Layer (type)", "Output Shape", "Param #");
        sb.append("=".repeat(WIDTH)).append('\n');
        long total = 0, trainable = 0, bytes = 0, trainableBytes = 0;
        for (Layer l : model.layers()) {
            String shape = l.isBuilt() ? Layer.describe(l.outputShape()) : "?";
            String params = l.isBuilt() ? String.format(Locale.ROOT, "%,d", l.paramCount()) : "0 (unbuilt)";
            row(sb, l.name() + " (" + l.typeName() + ")", shape, params);
            for (Weight w : l.weights()) {
                long n = w.value().numel(), b = n * w.value().dtype().bytes();
                total += n;
                bytes += b;
                if (w.trainable()) {
                    trainable += n;
                    trainableBytes += b;
                }
            }
        }
        sb.append("=".repeat(WIDTH)).append('\n');
        sb.append("Total params: ").append(count(total, bytes)).append('\n');
        sb.append("Trainable params: ").append(count(trainable, trainableBytes)).append('\n');
        sb.append("Non-trainable params: ").append(count(total - trainable, bytes - trainableBytes)).append('\n');
        sb.append("_".repeat(WIDTH));
        return sb.toString();
    }

    private static void row(StringBuilder sb, String... fields) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) line.setCharAt(line.length() - 1, ' ');
            line.append(fields[i]);
            if (line.length() > POSITIONS[i]) line.setLength(POSITIONS[i]);
            while (line.length() < POSITIONS[i]) line.append(' ');
        }
        sb.append(line.toString().stripTrailing()).append('\n');
    }

    /** "2,499 (9.76 KB)", sizes in powers of 1024 as Keras prints them. */
    static String count(long n, long bytes) {
        String[] units = {"B", "KB", "MB", "GB", "TB"};
        double size = bytes;
        int u = 0;
        while (size >= 1024 && u < units.length - 1) {
            size /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%,d (%.2f %s)", n, size, units[u]);
    }
}
