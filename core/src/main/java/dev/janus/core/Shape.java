package dev.janus.core;

import java.util.Arrays;

/**
 * An immutable list of dimensions. A dimension of {@link #DYNAMIC} (-1) is unknown until run time
 * (the batch dimension of a graph placeholder); a tensor's own shape is always static.
 */
public final class Shape {
    public static final int DYNAMIC = -1;
    /** The most elements a tensor holds: the largest Java array. */
    public static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    private static final Shape SCALAR = new Shape(new int[0]);

    private final int[] dims;

    private Shape(int[] dims) {
        this.dims = dims;
    }

    public static Shape of(int... dims) {
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < DYNAMIC) {
                throw new ShapeException("invalid shape " + Messages.list(dims) + ": dimension " + i
                        + " is " + dims[i] + " (dimensions are >= 0, or -1 for unknown)");
            }
        }
        return dims.length == 0 ? SCALAR : new Shape(dims.clone());
    }

    public static Shape of(long... dims) {
        int[] d = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] > Integer.MAX_VALUE) {
                throw new ShapeException("dimension " + dims[i] + " is too large for a Java-array tensor");
            }
            d[i] = (int) dims[i];
        }
        return of(d);
    }

    public static Shape scalar() {
        return SCALAR;
    }

    public int rank() {
        return dims.length;
    }

    /** Dimension {@code i}; negative {@code i} counts from the end. */
    public int dim(int i) {
        return dims[i < 0 ? i + dims.length : i];
    }

    public int[] dims() {
        return dims.clone();
    }

    public long[] toLongArray() {
        long[] d = new long[dims.length];
        for (int i = 0; i < d.length; i++) d[i] = dims[i];
        return d;
    }

    public boolean isStatic() {
        for (int d : dims) if (d == DYNAMIC) return false;
        return true;
    }

    /** Number of elements; the shape must be static and the count must fit a Java array. */
    public int size() {
        return size(0, dims.length);
    }

    /** Product of dims[from..to), static and checked like {@link #size()}. */
    public int size(int from, int to) {
        long n = product(from, to);
        if (n < 0) throw new ShapeException("shape " + this + " has an unknown dimension; its size is not known");
        if (n > MAX_ELEMENTS) throw tooLarge(from, to);
        return (int) n;
    }

    /**
     * Throws, naming {@code what}, unless a tensor of this shape fits a Java array for some size of
     * its unknown dimensions other than 0: the known dimensions' product is at most
     * {@link #MAX_ELEMENTS}.
     */
    public Shape requireFits(String what) {
        long n = 1;
        for (int d : dims) if (d == 0) return this;
        for (int d : dims) {
            if (d == DYNAMIC) continue;
            n *= d;
            if (n > MAX_ELEMENTS) throw new ShapeException(what + ": shape " + this + " has more than " + MAX_ELEMENTS + " elements, more than a tensor holds");
        }
        return this;
    }

    /**
     * The exact product of dims[from..to), or -1 when one is unknown; a product beyond
     * {@link #MAX_ELEMENTS} comes back as MAX_ELEMENTS + 1 (never wrapped round).
     */
    private long product(int from, int to) {
        boolean unknown = false;
        for (int i = from; i < to; i++) {
            if (dims[i] == 0) return 0;
            if (dims[i] == DYNAMIC) unknown = true;
        }
        if (unknown) return -1;
        long n = 1;
        for (int i = from; i < to; i++) {
            n *= dims[i];   // both factors below 2^31: no long overflow
            if (n > MAX_ELEMENTS) return MAX_ELEMENTS + 1L;
        }
        return n;
    }

    private ShapeException tooLarge(int from, int to) {
        String part = from == 0 && to == dims.length ? "shape " + this : "dimensions " + from + " to " + (to - 1) + " of shape " + this;
        return new ShapeException(part + " hold more than " + MAX_ELEMENTS + " elements, more than a Java array holds");
    }

    /** Row-major strides in elements. */
    public int[] strides() {
        int[] s = new int[dims.length];
        boolean empty = product(0, dims.length) == 0;
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            if (acc > MAX_ELEMENTS) {
                if (!empty) throw tooLarge(i + 1, dims.length);
                acc = MAX_ELEMENTS;   // no element is ever addressed through a stride of an empty shape
            }
            s[i] = (int) acc;
            acc *= dims[i];
        }
        return s;
    }

    /** Normalises an axis (negative counts from the end) or throws naming the op. */
    public int axis(int axis, String op) {
        int r = dims.length;
        if (axis < -r || axis >= r) {
            throw new ShapeException(op + ": axis " + axis + " is out of range for shape " + this + " (rank " + r + ")");
        }
        return axis < 0 ? axis + r : axis;
    }

    public Shape with(int axis, int value) {
        int[] d = dims.clone();
        d[axis] = value;
        return new Shape(d);
    }

    public Shape drop(int axis) {
        int[] d = new int[dims.length - 1];
        for (int i = 0, j = 0; i < dims.length; i++) if (i != axis) d[j++] = dims[i];
        return of(d);
    }

    /** dims[from..to) as a shape. */
    public Shape sub(int from, int to) {
        return of(Arrays.copyOfRange(dims, from, to));
    }

    public Shape concat(Shape other) {
        int[] d = Arrays.copyOf(dims, dims.length + other.dims.length);
        System.arraycopy(other.dims, 0, d, dims.length, other.dims.length);
        return of(d);
    }

    /**
     * NumPy broadcasting of two shapes. An unknown dimension against n != 1 is taken to be n;
     * against 1 or unknown it stays unknown.
     */
    public static Shape broadcast(String op, Shape a, Shape b) {
        int r = Math.max(a.rank(), b.rank());
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.rank() ? 1 : a.dims[i - (r - a.rank())];
            int db = i < r - b.rank() ? 1 : b.dims[i - (r - b.rank())];
            if (da == db || db == 1) out[i] = da;
            else if (da == 1) out[i] = db;
            else if (da == DYNAMIC) out[i] = db;
            else if (db == DYNAMIC) out[i] = da;
            else {
                throw new ShapeException(op + ": cannot broadcast " + a + " with " + b
                        + " (dimension " + i + " of the result: " + da + " vs " + db + ")");
            }
        }
        return new Shape(out);
    }

    /** True when every known dimension matches (unknown matches anything). */
    public boolean compatible(Shape other) {
        if (other.rank() != rank()) return false;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] != other.dims[i] && dims[i] != DYNAMIC && other.dims[i] != DYNAMIC) return false;
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape && Arrays.equals(dims, ((Shape) o).dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** "[16, 4]"; an unknown dimension prints as "?". */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(dims[i] == DYNAMIC ? "?" : Integer.toString(dims[i]));
        }
        return sb.append(']').toString();
    }
}
