package dev.janus.core;

import java.util.function.IntFunction;

/**
 * Keeps error messages readable: a list read from a file may hold millions of entries, and a
 * message that quotes it whole costs hundreds of megabytes and helps nobody.
 */
public final class Messages {
    /** The longest message a {@link JanusException} carries; longer ones keep their start and end. */
    public static final int MAX_LENGTH = 2000;
    /** How many entries of a long list a message shows, first ones and the last. */
    static final int SHOWN = 10;

    private Messages() {
    }

    /** "[0, 1, 2, ..., 9999999] (10000000 values)" for a long list, Arrays.toString's form for a short one. */
    public static String list(int[] v) {
        return list(v.length, i -> Integer.toString(v[i]));
    }

    public static String list(long[] v) {
        return list(v.length, i -> Long.toString(v[i]));
    }

    public static String list(double[] v) {
        return list(v.length, i -> Double.toString(v[i]));
    }

    private static String list(int n, IntFunction<String> entry) {
        StringBuilder sb = new StringBuilder("[");
        boolean shorten = n > SHOWN + 1;
        for (int i = 0; i < n; i++) {
            if (i > 0) sb.append(", ");
            if (shorten && i == SHOWN - 1) {
                sb.append("...");
                i = n - 2;   // on to the last entry
            } else {
                sb.append(entry.apply(i));
            }
        }
        sb.append(']');
        return shorten ? sb.append(" (").append(n).append(" values)").toString() : sb.toString();
    }

    /** The text itself when short, else its start and end around a note of how much is left out. */
    public static String clip(String text) {
        if (text == null || text.length() <= MAX_LENGTH) return text;
        int head = MAX_LENGTH * 3 / 4, tail = MAX_LENGTH / 8;
        return text.substring(0, head) + " ... (" + (text.length() - head - tail) + " characters left out) ... "
                + text.substring(text.length() - tail);
    }
}
