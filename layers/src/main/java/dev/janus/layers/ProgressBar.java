package dev.janus.layers;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * Keras's progress display. On a terminal, verbose 1: "3/8 [==========>.........] - ETA: 0s -
 * loss: 1.0934 - accuracy: 0.3421", redrawn in place at most every 50 ms and never wider than the
 * terminal (the bar shrinks, then the line is cut), ending as "8/8 [====...] - 0s 3ms/step - loss:
 * ..."; verbose 2, or verbose 1 when the output is not a terminal (a file, a pipe): one plain line
 * at the end, "8/8 - 0s - 3ms/step - loss: ...", with no carriage returns.
 */
final class ProgressBar {
    private static final int MAX_BAR = 30, MIN_BAR = 8;
    private static final long INTERVAL_NANOS = 50_000_000L;
    private final PrintStream out;
    private final int target, verbose, columns;
    private final long start = System.nanoTime();
    private long lastDraw;
    private int drawnWidth;

    /** {@code columns}: the terminal's width, or 0 when the output is not a terminal. */
    ProgressBar(PrintStream out, int target, int verbose, int columns) {
        this.out = out;
        this.target = Math.max(1, target);
        this.verbose = verbose == 1 && columns <= 0 ? 2 : verbose;
        this.columns = columns;
    }

    /** The width of the terminal {@code out} writes to, or 0 when it is not one (Keras draws bars only on terminals). */
    static int terminalColumns(PrintStream out) {
        if (out != System.out || System.console() == null) return 0;
        try {
            int c = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "80").trim());
            return c > 20 ? c : 80;
        } catch (NumberFormatException e) {
            return 80;
        }
    }

    /** Shows step {@code current} (1-based) with these values; {@code done} ends the line. */
    void update(int current, Map<String, Double> values, boolean done) {
        if (verbose == 0) return;
        long now = System.nanoTime();
        if (verbose == 2 && !done) return;
        if (verbose == 1 && !done && now - lastDraw < INTERVAL_NANOS) return;
        lastDraw = now;
        double elapsed = (now - start) / 1e9, perStep = current > 0 ? elapsed / current : 0;
        String count = String.format(Locale.ROOT, "%" + digits(target) + "d/%d", current, target);
        StringBuilder tail = new StringBuilder();
        if (verbose == 1) {
            if (done) tail.append(String.format(Locale.ROOT, " - %.0fs", elapsed)).append(perStep(perStep));
            else tail.append(" - ETA: ").append(eta(perStep * (target - current)));
        } else {
            tail.append(String.format(Locale.ROOT, " - %.0fs -", elapsed)).append(perStep(perStep));
        }
        for (Map.Entry<String, Double> v : values.entrySet()) tail.append(" - ").append(v.getKey()).append(": ").append(number(v.getValue()));
        StringBuilder sb = new StringBuilder(count);
        if (verbose == 1) {
            // The line must not wrap, or the carriage return redraws only its last part.
            int room = columns - 1 - count.length() - 3 - tail.length(), width = Math.min(MAX_BAR, room);
            if (width >= MIN_BAR) sb.append(" [").append(bar(current, width)).append(']');
            sb.append(tail);
            if (sb.length() > columns - 1) sb.setLength(columns - 1);
            int w = sb.length();
            if (w < drawnWidth) sb.append(" ".repeat(drawnWidth - w));
            drawnWidth = w;
            sb.insert(0, '\r');
        } else {
            sb.append(tail);
        }
        if (done) sb.append(System.lineSeparator());
        out.print(sb);
        out.flush();
    }

    private String bar(int current, int width) {
        StringBuilder b = new StringBuilder();
        int filled = (int) (width * (double) current / target);
        if (filled > 0) b.append("=".repeat(filled - 1)).append(current < target ? '>' : '=');
        return b.append(".".repeat(width - filled)).toString();
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
