package dev.janus.core.data;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * A table of numbers read by {@link Csv}, which remembers each row's line for error messages. The
 * values are kept in one array, row after row.
 */
public final class NumericTable {
    private final String source;
    private final List<String> names;
    private final double[] values;
    private final int[] lines;

    private NumericTable(String source, List<String> names, double[] values, int[] lines) {
        this.source = source;
        this.names = List.copyOf(names);
        this.values = values;
        this.lines = lines;
    }

    /** Collects the rows {@link Csv#stream} hands on. */
    static final class Builder implements Csv.RowSink {
        private final String source;
        private List<String> names;
        private double[] values = new double[256];
        private int[] lines = new int[16];
        private int size, rows;

        Builder(String source) {
            this.source = source;
        }

        @Override
        public void columns(List<String> columnNames, int line) {
            names = columnNames;
        }

        @Override
        public void row(double[] row, int line) {
            if (size + row.length > values.length) values = Arrays.copyOf(values, Math.max(size + row.length, 2 * values.length));
            if (rows == lines.length) lines = Arrays.copyOf(lines, 2 * lines.length);
            System.arraycopy(row, 0, values, size, row.length);
            size += row.length;
            lines[rows++] = line;
        }

        NumericTable build(int skipLines, boolean header) {
            if (rows == 0) throw new JanusException(source + ": no data rows (after " + skipLines + " skipped lines" + (header ? " and a header" : "") + ")");
            return new NumericTable(source, names, Arrays.copyOf(values, size), Arrays.copyOf(lines, rows));
        }
    }

    public int rows() {
        return lines.length;
    }

    public int columns() {
        return names.size();
    }

    /** The header's names, or "column 1", "column 2", ... */
    public List<String> columnNames() {
        return names;
    }

    public double get(int row, int column) {
        if (row < 0 || row >= rows()) throw new JanusException(source + ": there is no row " + row + " (0-based; it has " + rows() + ")");
        return values[row * columns() + checkColumn(column)];
    }

    /** Columns [from, to) as a [rows, to - from] tensor. */
    public Tensor columns(int from, int to, DType dtype) {
        if (from < 0 || to > columns() || from >= to) {
            throw new JanusException(source + ": column range [" + from + ", " + to + ") is not within the " + columns() + " columns");
        }
        Tensor t = Tensor.empty(dtype, Shape.of(rows(), to - from));
        for (int r = 0, k = 0; r < rows(); r++) {
            for (int c = from; c < to; c++) t.setDouble(k++, values[r * columns() + c]);
        }
        return t;
    }

    /** A column of class labels as int64; every value must be a whole number >= 0. */
    public Tensor labels(int column) {
        checkColumn(column);
        long[] y = new long[rows()];
        for (int r = 0; r < y.length; r++) {
            double v = values[r * columns() + column];
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
