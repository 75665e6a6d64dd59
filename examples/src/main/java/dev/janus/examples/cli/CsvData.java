package dev.janus.examples.cli;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.data.Csv;
import dev.janus.core.data.Split;
import dev.janus.core.data.TensorDataset;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * A user's CSV file as features and class labels. The first line is looked at to tell the three
 * shapes such files come in: column names ("sepal_length,...,species"), scikit-learn's count line
 * ("150,4,setosa,versicolor,virginica": sample and feature counts, then class names; skipped), or
 * data straight away. A ".gz" file is read through gzip. Every error names the file, and where it
 * is about a value, the line and the column.
 *
 * <p>The file is streamed twice: once to count its rows, once to put each row straight into its
 * part of the train/test split (features as float32, labels as int64), so a large file takes the
 * memory of its numbers once and no more (a 1 GB CSV trains within a 1 GB heap).
 */
final class CsvData {
    /** More classes than this is taken for a label column gone wrong (a 60,000,000 once made a model that ran out of memory). */
    static final int MAX_CLASSES = 100_000;

    final String source;
    final int rows;
    final List<String> features;
    final String label;
    final int classes;
    final TensorDataset train, test;

    private CsvData(String source, int rows, List<String> features, String label, int classes, TensorDataset train, TensorDataset test) {
        this.source = source;
        this.rows = rows;
        this.features = features;
        this.label = label;
        this.classes = classes;
        this.train = train;
        this.test = test;
    }

    /**
     * @param header "auto", "yes" (a line of column names) or "no"
     * @param label  the label column: a name, or a 0-based index (negative counts from the end)
     * @param testFraction, seed the split, as {@link Split#trainTest} makes it
     */
    static CsvData load(Path file, String header, String label, double testFraction, long seed) {
        String source = file.toString();
        if (!Files.exists(file)) throw new JanusException(source + ": no such file");
        if (!Files.isRegularFile(file)) throw new JanusException(source + ": not a file");
        String first = firstLine(file);
        if (first == null) throw new JanusException(source + ": the file is empty");
        int skip = 0;
        boolean names;
        switch (header) {
            case "yes": names = true; break;
            case "no": names = false; break;
            default:
                String[] cells = first.split(",", -1);
                names = !allNumbers(cells, 0);
                if (names && isCountLine(cells)) {
                    names = false;
                    skip = 1;
                }
        }
        int rows = countRows(file, skip, names);
        if (rows == 0) throw new JanusException(source + ": no data rows (after " + skip + " skipped lines" + (names ? " and a header" : "") + ")");
        int[] order;
        try {
            order = Split.order(rows, testFraction, seed);
        } catch (JanusException e) {
            throw new JanusException(source + ": " + e.getMessage(), e);
        }
        Reader reader = new Reader(source, label, order, Split.testSize(rows, testFraction));
        try (BufferedReader in = Csv.reader(open(file))) {
            Csv.stream(in, source, skip, names, reader);
        } catch (IOException e) {
            throw new JanusException(source + ": cannot read: " + e.getMessage(), e);
        }
        return reader.finish();
    }

    /** Puts each row's values where its part of the split wants them: features into x (float32, range checked), the label into y. */
    private static final class Reader implements Csv.RowSink {
        private final String source, label;
        private final int rows, nTest;
        private final int[] slot;   // row -> its place in the split's order: the first nTest are the test part's
        private List<String> names;
        private int column, width, row;
        private float[] xTest, xTrain;
        private long[] yTest, yTrain;
        private long maxLabel = -1;

        Reader(String source, String label, int[] order, int nTest) {
            this.source = source;
            this.label = label;
            this.rows = order.length;
            this.nTest = nTest;
            slot = new int[rows];
            for (int k = 0; k < rows; k++) slot[order[k]] = k;
        }

        @Override
        public void columns(List<String> columnNames, int line) {
            names = columnNames;
            column = column(names, label, source, line);
            if (names.size() < 2) throw new JanusException(source + ": needs at least one feature column besides the label");
            width = names.size() - 1;
            xTest = new float[Math.multiplyExact(nTest, width)];
            xTrain = new float[Math.multiplyExact(rows - nTest, width)];
            yTest = new long[nTest];
            yTrain = new long[rows - nTest];
        }

        @Override
        public void row(double[] values, int line) {
            if (row == rows) throw new JanusException(source + " changed while it was read: more than " + rows + " rows");
            boolean inTest = slot[row] < nTest;
            int at = inTest ? slot[row] : slot[row] - nTest;
            float[] x = inTest ? xTest : xTrain;
            for (int c = 0, k = at * width; c < values.length; c++) {
                double v = values[c];
                if (c == column) {
                    if (v != Math.rint(v) || v < 0) throw new JanusException(Csv.where(source, line, c, names) + ": " + v + " is not a class label (a whole number >= 0)");
                    if (v >= MAX_CLASSES) {
                        throw new JanusException(Csv.where(source, line, c, names) + ": label " + (long) v + " would make a model of " + ((long) v + 1)
                                + " classes; janus train takes at most " + MAX_CLASSES + " (labels are class indices 0, 1, 2 ...)");
                    }
                    (inTest ? yTest : yTrain)[at] = (long) v;
                    maxLabel = Math.max(maxLabel, (long) v);
                } else {
                    if (Math.abs(v) > Float.MAX_VALUE) {
                        throw new JanusException(Csv.where(source, line, c, names) + ": " + v + " is beyond the range of float32 (largest "
                                + Float.MAX_VALUE + "), which the model computes in");
                    }
                    x[k++] = (float) v;
                }
            }
            row++;
        }

        CsvData finish() {
            if (row != rows) throw new JanusException(source + " changed while it was read: " + row + " rows, " + rows + " before");
            if (maxLabel < 1) throw new JanusException(source + ", column " + (column + 1) + " (" + names.get(column) + "): every label is 0; there is only one class");
            List<String> features = new ArrayList<>(names);
            features.remove(column);
            TensorDataset test = new TensorDataset(Tensor.wrap(xTest, DType.FLOAT32, Shape.of(nTest, width)), Tensor.wrap(yTest, DType.INT64, Shape.of(nTest)));
            TensorDataset train = new TensorDataset(Tensor.wrap(xTrain, DType.FLOAT32, Shape.of(rows - nTest, width)),
                    Tensor.wrap(yTrain, DType.INT64, Shape.of(rows - nTest)));
            return new CsvData(source, rows, List.copyOf(features), names.get(column), (int) maxLabel + 1, train, test);
        }
    }

    /** The label column by name, else by index. */
    private static int column(List<String> names, String label, String source, int headerLine) {
        int byName = names.indexOf(label);
        if (byName >= 0) return byName;
        int index;
        try {
            index = Integer.parseInt(label.strip());
        } catch (NumberFormatException e) {
            if (headerLine > 0) {
                throw new JanusException(source + ", line " + headerLine + ": no column named '" + label + "'; the columns are " + String.join(", ", names));
            }
            throw new JanusException(source + ": no column named '" + label + "'; the file has no line of column names, so give the label column's index (0-based)");
        }
        int at = index < 0 ? names.size() + index : index;
        if (at < 0 || at >= names.size()) {
            throw new JanusException(source + ": no column " + index + "; the file has " + names.size() + " columns (0 to " + (names.size() - 1)
                    + ", or -1 for the last)");
        }
        return at;
    }

    private static boolean allNumbers(String[] cells, int from) {
        for (int i = from; i < cells.length; i++) if (!isNumber(cells[i])) return false;
        return true;
    }

    /** scikit-learn's "n_samples,n_features,class names...". */
    private static boolean isCountLine(String[] cells) {
        if (cells.length < 3 || !isWhole(cells[0]) || !isWhole(cells[1])) return false;
        for (int i = 2; i < cells.length; i++) if (isNumber(cells[i])) return false;
        return true;
    }

    private static boolean isNumber(String cell) {
        try {
            Double.parseDouble(unquote(cell));
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean isWhole(String cell) {
        return unquote(cell).matches("\\d+");
    }

    private static String unquote(String cell) {
        String c = cell.strip();
        return c.length() >= 2 && c.startsWith("\"") && c.endsWith("\"") ? c.substring(1, c.length() - 1).strip() : c;
    }

    private static InputStream open(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        return file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
    }

    /** The first line that is not blank, or null. */
    private static String firstLine(Path file) {
        try (BufferedReader r = Csv.reader(open(file))) {
            return Csv.firstLine(r);
        } catch (IOException e) {
            throw new JanusException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** The data rows: lines not blank after {@code skip} lines and the header. */
    private static int countRows(Path file, int skip, boolean header) {
        try (BufferedReader r = Csv.reader(open(file))) {
            int n = 0, rows = 0;
            boolean headerSeen = !header;
            for (String line; (line = r.readLine()) != null; ) {
                if (++n == 1) line = line.replace("\uFEFF", "");
                if (n <= skip || line.isBlank()) continue;
                if (!headerSeen) headerSeen = true;
                else rows++;
            }
            return rows;
        } catch (IOException e) {
            throw new JanusException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
