package dev.janus.core.data;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;

import java.util.List;

/** A table of numbers read by {@link Csv}, which remembers each row's line for error messages. */
public final class NumericTable {
    private final String source;
    private final List<String> names;
    private final List<double[]> rows;
    private final int[] lines;

    NumericTable(String source, List<String> names, List<double[]> rows, int[] lines) {
        this.source = source;
        this.names = List.copyOf(names);
        this.rows = List.copyOf(rows);
        this.lines = lines;
    }

    public int rows() {
        return rows.size();
    }

    public int columns() {
        return names.size();
    }

    /** The header's names, or "column 1", "column 2", ... */
    public List<String> columnNames() {
        return names;
    }

    public double get(int row, int column) {
        return rows.get(row)[checkColumn(column)];
    }

    /** Columns [from, to) as a [rows, to - from] tensor. */
    public Tensor columns(int from, int to, DType dtype) {
        if (from < 0 || to > columns() || from >= to) {
            throw new JanusException(source + ": column range [" + from + ", " + to + ") is not within the " + columns() + " columns");
        }
        Tensor t = Tensor.empty(dtype, Shape.of(rows(), to - from));
        for (int r = 0, k = 0; r < rows(); r++) {
            for (int c = from; c < to; c++) t.setDouble(k++, rows.get(r)[c]);
        }
        return t;
    }

    /** A column of class labels as int64; every value must be a whole number >= 0. */
    public Tensor labels(int column) {
        checkColumn(column);
        long[] y = new long[rows()];
        for (int r = 0; r < y.length; r++) {
            double v = rows.get(r)[column];
            if (v != Math.rint(v) || v < 0) {
                throw new JanusException(source + ", line " + lines[r] + ", column " + (column + 1) + " (" + names.get(column)
                        + "): " + v + " is not a class label (a whole number >= 0)");
            }
            y[r] = (long) v;
        }
        return Tensor.of(y);
    }

    private int checkColumn(int column) {
        if (column < 0 || column >= columns()) throw new JanusException(source + ": there is no column " + column + " (0-based; it has " + columns() + ")");
        return column;
    }

    @Override
    public String toString() {
        return "NumericTable(" + source + ": " + rows() + " rows, columns " + names + ")";
    }
}
