package dev.janus.layers;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The Keras summary table: each layer with its output shape and parameter count, then the totals. */
final class Summary {
    private static final int[] POSITIONS = {29, 55, 65};
    private static final int[] FUNCTIONAL = {29, 55, 68, 95};

    private Summary() {
    }

    static String of(Model model) {
        boolean functional = !(model instanceof Sequential);
        int[] columns = functional ? FUNCTIONAL : POSITIONS;
        int width = columns[columns.length - 1];
        StringBuilder sb = new StringBuilder();
        sb.append("Model: \"").append(model.name()).append("\"\n");
        sb.append("_".repeat(width)).append('\n');
        if (functional) row(sb, columns, "Layer (type)", "Output Shape", "Param #", "Connected to");
        else row(sb, columns, "Layer (type)", "Output Shape", "Param #");
        sb.append("=".repeat(width)).append('\n');
        long total = 0, trainable = 0, bytes = 0, trainableBytes = 0;
        if (functional) {
            for (Input in : model.inputs()) row(sb, columns, in.name() + " (InputLayer)", Layer.describe(in.batchShape()), "0", "-");
        }
        java.util.Set<Weight> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Layer l : model.layers()) {
            String shape = l.isBuilt() ? Layer.describe(l.outputShapes()) : "?";
            String params = l.isBuilt() ? String.format(Locale.ROOT, "%,d", l.paramCount()) : "0 (unbuilt)";
            if (functional) row(sb, columns, l.name() + " (" + l.typeName() + ")", shape, params, connections(model, l));
            else row(sb, columns, l.name() + " (" + l.typeName() + ")", shape, params);
            for (Weight w : l.weights()) {
                if (!seen.add(w)) continue;
                long n = w.value().numel(), b = n * w.value().dtype().bytes();
                total += n;
                bytes += b;
                if (w.trainable()) {
                    trainable += n;
                    trainableBytes += b;
                }
            }
        }
        sb.append("=".repeat(width)).append('\n');
        sb.append("Total params: ").append(count(total, bytes)).append('\n');
        sb.append("Trainable params: ").append(count(trainable, trainableBytes)).append('\n');
        sb.append("Non-trainable params: ").append(count(total - trainable, bytes - trainableBytes)).append('\n');
        sb.append("_".repeat(width));
        return sb.toString();
    }

    /** What the layer's calls take their inputs from: "dense[0][0], input_b[0][0]", as Keras's "Connected to". */
    private static String connections(Model model, Layer l) {
        List<String> from = new ArrayList<>();
        for (LayerCall c : model.calls()) {
            if (c.layer != l) continue;
            for (KerasTensor t : c.inputs) {
                int index = t instanceof LayerCall.Output ? ((LayerCall.Output) t).index : 0;
                from.add(t.layer().name() + "[0][" + index + "]");
            }
        }
        return String.join(", ", from);
    }

    private static void row(StringBuilder sb, int[] positions, String... fields) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) line.setCharAt(line.length() - 1, ' ');
            line.append(fields[i]);
            if (i < fields.length - 1 && line.length() > positions[i]) line.setLength(positions[i]);
            while (line.length() < positions[i]) line.append(' ');
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
