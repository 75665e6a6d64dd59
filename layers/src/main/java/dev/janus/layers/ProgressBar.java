package dev.janus.layers;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * Keras's progress display. Verbose 1: "3/8 [==========>...................] - ETA: 0s - loss:
 * 1.0934 - accuracy: 0.3421", redrawn in place at most every 50 ms, ending as "8/8 [====...] - 0s
 * 3ms/step - loss: ..."; verbose 2: one line at the end, "8/8 - 0s - 3ms/step - loss: ...".
 */
final class ProgressBar {
    private static final int WIDTH = 30;
    private static final long INTERVAL_NANOS = 50_000_000L;
    private final PrintStream out;
    private final int target, verbose;
    private final long start = System.nanoTime();
    private long lastDraw;
    private int drawnWidth;

    ProgressBar(PrintStream out, int target, int verbose) {
        this.out = out;
        this.target = Math.max(1, target);
        this.verbose = verbose;
    }

    /** Shows step {@code current} (1-based) with these values; {@code done} ends the line. */
    void update(int current, Map<String, Double> values, boolean done) {
        if (verbose == 0) return;
        long now = System.nanoTime();
        if (verbose == 2 && !done) return;
        if (verbose == 1 && !done && now - lastDraw < INTERVAL_NANOS) return;
        lastDraw = now;
        double elapsed = (now - start) / 1e9, perStep = current > 0 ? elapsed / current : 0;
        StringBuilder sb = new StringBuilder();
        String count = String.format(Locale.ROOT, "%" + digits(target) + "d/%d", current, target);
        if (verbose == 1) {
            sb.append('\r').append(count).append(" [");
            int filled = (int) (WIDTH * (double) current / target);
            if (filled > 0) sb.append("=".repeat(filled - 1)).append(current < target ? '>' : '=');
            sb.append(".".repeat(WIDTH - filled)).append(']');
            if (done) sb.append(String.format(Locale.ROOT, " - %.0fs", elapsed)).append(perStep(perStep));
            else sb.append(" - ETA: ").append(eta(perStep * (target - current)));
        } else {
            sb.append(count).append(String.format(Locale.ROOT, " - %.0fs -", elapsed)).append(perStep(perStep));
        }
        for (Map.Entry<String, Double> v : values.entrySet()) sb.append(" - ").append(v.getKey()).append(": ").append(number(v.getValue()));
        int width = sb.length();
        if (verbose == 1 && width < drawnWidth) sb.append(" ".repeat(drawnWidth - width));
        drawnWidth = width;
        if (done) sb.append(System.lineSeparator());
        out.print(sb);
        out.flush();
    }

    private static int digits(int n) {
        return Integer.toString(n).length();
    }

    static String number(double v) {
        return String.format(Locale.ROOT, Math.abs(v) > 1e-3 ? "%.4f" : "%.4e", v);
    }

    private static String perStep(double seconds) {
        if (seconds >= 1 || seconds == 0) return String.format(Locale.ROOT, " %.0fs/step", seconds);
        if (seconds >= 1e-3) return String.format(Locale.ROOT, " %.0fms/step", seconds * 1e3);
        return String.format(Locale.ROOT, " %.0fus/step", seconds * 1e6);
    }

    private static String eta(double seconds) {
        long s = (long) seconds;
        if (s > 3600) return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60);
        if (s > 60) return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
        return s + "s";
    }
}
