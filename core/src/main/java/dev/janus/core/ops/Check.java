package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.ShapeException;
import dev.janus.core.TensorType;

/** Type checks shared by shape rules; each error names the op and the types it saw. */
final class Check {
    private Check() {
    }

    static void floating(String op, TensorType t) {
        if (!t.dtype().isFloating()) {
            throw new ShapeException(op + ": expected a floating-point input, got " + t);
        }
    }

    /** Any number: floating or integer, not bool. */
    static void numeric(String op, TensorType t) {
        if (t.dtype() == DType.BOOL) throw new ShapeException(op + ": expected a numeric input, got " + t);
    }

    static void integer(String op, String what, TensorType t) {
        if (!t.dtype().isInteger()) throw new ShapeException(op + ": " + what + " must be integers, got " + t);
    }

    static void dtype(String op, String what, TensorType t, DType want) {
        if (t.dtype() != want) throw new ShapeException(op + ": " + what + " must be " + want + ", got " + t);
    }

    static void sameDType(String op, TensorType a, TensorType b) {
        if (a.dtype() != b.dtype()) {
            throw new ShapeException(op + ": inputs have different dtypes, " + a + " and " + b);
        }
    }

    static void rank(String op, String what, TensorType t, int min) {
        if (t.rank() < min) {
            throw new ShapeException(op + ": " + what + " must have rank >= " + min + ", got " + t);
        }
    }

    /** Normalised, sorted, distinct axes; null means all axes. */
    static int[] axes(String op, int[] axes, dev.janus.core.Shape shape) {
        int r = shape.rank();
        if (axes == null) {
            int[] all = new int[r];
            for (int i = 0; i < r; i++) all[i] = i;
            return all;
        }
        boolean[] seen = new boolean[r];
        for (int a : axes) {
            int n = shape.axis(a, op);
            if (seen[n]) throw new ShapeException(op + ": axis " + a + " is given twice for shape " + shape);
            seen[n] = true;
        }
        int[] out = new int[axes.length];
        for (int i = 0, j = 0; i < r; i++) if (seen[i]) out[j++] = i;
        return out;
    }
}
