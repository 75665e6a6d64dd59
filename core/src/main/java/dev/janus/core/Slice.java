package dev.janus.core;

/**
 * A range of one dimension for {@link Tensor#index}, as Python's {@code start:end:step}: ends
 * excluded, negative positions counted from the end, missing ends meaning "from the start" and
 * "to the end". An int in {@code index} picks one position and drops the dimension.
 *
 * <pre>{@code
 * x.index(Slice.all(), Slice.of(1, 3));   // x[:, 1:3]
 * x.index(-1);                            // x[-1]
 * x.index(Slice.from(2), 0);              // x[2:, 0]
 * x.index(Slice.of(0, null, 2));          // x[::2]
 * }</pre>
 */
public final class Slice {
    final Integer start, end;
    final int step;

    private Slice(Integer start, Integer end, int step) {
        if (step <= 0) throw new IllegalArgumentException("Slice: step must be positive, got " + step);
        this.start = start;
        this.end = end;
        this.step = step;
    }

    /** [start, end); either may be null (the start, the end). */
    public static Slice of(Integer start, Integer end) {
        return new Slice(start, end, 1);
    }

    public static Slice of(Integer start, Integer end, int step) {
        return new Slice(start, end, step);
    }

    /** The whole dimension, {@code :}. */
    public static Slice all() {
        return new Slice(null, null, 1);
    }

    /** {@code start:}. */
    public static Slice from(int start) {
        return new Slice(start, null, 1);
    }

    /** {@code :end}. */
    public static Slice to(int end) {
        return new Slice(null, end, 1);
    }

    /** The positions [from, to) this slice takes of a dimension of {@code size}, clamped as Python clamps them. */
    int[] bounds(int size) {
        int from = start == null ? 0 : clamp(start < 0 ? start + size : start, size);
        int to = end == null ? size : clamp(end < 0 ? end + size : end, size);
        return new int[] {from, Math.max(from, to)};
    }

    private static int clamp(int i, int size) {
        return Math.max(0, Math.min(size, i));
    }

    @Override
    public String toString() {
        return (start == null ? "" : start) + ":" + (end == null ? "" : end) + (step == 1 ? "" : ":" + step);
    }
}
