package dev.janus.examples.cli;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.data.Csv;
import dev.janus.core.data.NumericTable;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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
 */
final class CsvData {
    final String source;
    final Tensor x, y;
    final List<String> features;
    final String label;
    final int classes;

    private CsvData(String source, Tensor x, Tensor y, List<String> features, String label, int classes) {
        this.source = source;
        this.x = x;
        this.y = y;
        this.features = features;
        this.label = label;
        this.classes = classes;
    }

    /**
     * @param header "auto", "yes" (a line of column names) or "no"
     * @param label  the label column: a name, or a 0-based index (negative counts from the end)
     */
    static CsvData load(Path file, String header, String label) {
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
        NumericTable table;
        try (InputStream in = open(file)) {
            table = Csv.read(in, source, skip, names);
        } catch (IOException e) {
            throw new JanusException(source + ": cannot read: " + e.getMessage(), e);
        }
        int column = column(table, label, source, names ? lineOf(file, skip) : 0);
        if (table.columns() < 2) throw new JanusException(source + ": needs at least one feature column besides the label");

        Tensor y = table.labels(column);
        long max = 0;
        for (long v : y.toLongArray()) max = Math.max(max, v);
        if (max < 1) throw new JanusException(source + ", column " + (column + 1) + " (" + table.columnNames().get(column) + "): every label is 0; there is only one class");

        List<String> features = new ArrayList<>();
        for (int c = 0; c < table.columns(); c++) if (c != column) features.add(table.columnNames().get(c));
        Tensor x = Tensor.empty(DType.FLOAT32, Shape.of(table.rows(), features.size()));
        for (int r = 0, k = 0; r < table.rows(); r++) {
            for (int c = 0; c < table.columns(); c++) if (c != column) x.setDouble(k++, table.get(r, c));
        }
        return new CsvData(source, x, y, features, table.columnNames().get(column), (int) max + 1);
    }

    /** The label column by name, else by index. */
    private static int column(NumericTable table, String label, String source, int headerLine) {
        List<String> names = table.columnNames();
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
        return file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(in) : in;
    }

    /** The first line that is not blank, or null. */
    private static String firstLine(Path file) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(open(file), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) if (!line.isBlank()) return line;
            return null;
        } catch (IOException e) {
            throw new JanusException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** The line number (from 1) of the first non-blank line after {@code skip} lines: where the header is. */
    private static int lineOf(Path file, int skip) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(open(file), StandardCharsets.UTF_8))) {
            int n = 0;
            for (String line; (line = r.readLine()) != null; ) {
                n++;
                if (n > skip && !line.isBlank()) return n;
            }
            return 1;
        } catch (IOException e) {
            throw new JanusException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
