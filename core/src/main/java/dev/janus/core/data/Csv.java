package dev.janus.core.data;

import dev.janus.core.JanusException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads CSV files of numbers into a {@link NumericTable}. A value that is not a finite number, or a
 * line with the wrong number of values, is reported with the file, the line and the column (both
 * counted from 1, as an editor shows them). Blank lines are skipped; values may be quoted.
 */
public final class Csv {
    private Csv() {
    }

    /**
     * Reads {@code file}: {@code skipLines} lines are ignored first (such as scikit-learn's
     * "150,4,setosa,..." line), then, with {@code header}, one line of column names.
     */
    public static NumericTable read(Path file, int skipLines, boolean header) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(r, file.toString(), skipLines, header);
        } catch (NoSuchFileException e) {
            throw new JanusException("CSV file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new JanusException("cannot read CSV file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a stream (a resource, say); {@code source} names it in error messages. */
    public static NumericTable read(InputStream in, String source, int skipLines, boolean header) {
        if (in == null) throw new JanusException("CSV " + source + " was not found");
        return read(new InputStreamReader(in, StandardCharsets.UTF_8), source, skipLines, header);
    }

    public static NumericTable read(Reader reader, String source, int skipLines, boolean header) {
        BufferedReader in = reader instanceof BufferedReader ? (BufferedReader) reader : new BufferedReader(reader);
        List<String> names = null;
        List<double[]> rows = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        int lineNo = 0, width = -1, widthLine = 0;
        try {
            for (String line; (line = in.readLine()) != null; ) {
                lineNo++;
                if (lineNo <= skipLines || line.isBlank()) continue;
                String[] cells = split(line);
                if (width < 0) {
                    width = cells.length;
                    widthLine = lineNo;
                } else if (cells.length != width) {
                    throw new JanusException(source + ", line " + lineNo + ": " + cells.length + " values, expected "
                            + width + " (as on line " + widthLine + ")");
                }
                if (header && names == null) {
                    names = new ArrayList<>(List.of(cells));
                    continue;
                }
                double[] row = new double[cells.length];
                for (int c = 0; c < cells.length; c++) row[c] = parse(cells[c], source, lineNo, c, names);
                rows.add(row);
                lines.add(lineNo);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(source + ": read failed at line " + (lineNo + 1), e);
        }
        if (rows.isEmpty()) throw new JanusException(source + ": no data rows (after " + skipLines + " skipped lines"
                + (header ? " and a header" : "") + ")");
        if (names == null) {
            names = new ArrayList<>();
            for (int c = 0; c < width; c++) names.add("column " + (c + 1));
        }
        return new NumericTable(source, names, rows, lines.stream().mapToInt(Integer::intValue).toArray());
    }

    private static String[] split(String line) {
        String[] cells = line.split(",", -1);
        for (int i = 0; i < cells.length; i++) {
            String c = cells[i].strip();
            if (c.length() >= 2 && c.startsWith("\"") && c.endsWith("\"")) c = c.substring(1, c.length() - 1).strip();
            cells[i] = c;
        }
        return cells;
    }

    private static double parse(String cell, String source, int line, int col, List<String> names) {
        String where = source + ", line " + line + ", column " + (col + 1) + (names != null ? " (" + names.get(col) + ")" : "");
        if (cell.isEmpty()) throw new JanusException(where + ": the value is empty");
        double v;
        try {
            v = Double.parseDouble(cell);
        } catch (NumberFormatException e) {
            throw new JanusException(where + ": '" + cell + "' is not a number");
        }
        if (!Double.isFinite(v)) throw new JanusException(where + ": '" + cell + "' is not a finite number");
        return v;
    }
}
