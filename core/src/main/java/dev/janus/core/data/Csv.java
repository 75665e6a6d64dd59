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
 * Reads CSV files of numbers, into a {@link NumericTable} or row by row ({@link #stream}, in
 * bounded memory). A value that is not a finite number, or a line with the wrong number of values,
 * is reported with the file, the line and the column (both counted from 1, as an editor shows
 * them). Blank lines are skipped; values may be quoted; a UTF-8 byte order mark before the first
 * line is not part of it (spreadsheets write one).
 */
public final class Csv {
    private static final char BOM = '\uFEFF';

    private Csv() {
    }

    /** What {@link #stream} hands on: the column names once, then each row. */
    public interface RowSink {
        /**
         * Before the first row: the header's names (or "column 1", "column 2", ...) and the header's
         * line (0 when there is none).
         */
        default void columns(List<String> names, int line) {
        }

        /** One row; {@code values} is reused for the next row (copy what you keep); {@code line} counts from 1. */
        void row(double[] values, int line);
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
        return read(reader(in), source, skipLines, header);
    }

    public static NumericTable read(Reader reader, String source, int skipLines, boolean header) {
        NumericTable.Builder table = new NumericTable.Builder(source);
        stream(reader, source, skipLines, header, table);
        return table.build(skipLines, header);
    }

    /** UTF-8 text from {@code in}, buffered. */
    public static BufferedReader reader(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    }

    /**
     * Reads row by row, checking each value, and hands each row to {@code sink} as it goes: memory
     * stays bounded whatever the file's size.
     */
    public static void stream(Reader reader, String source, int skipLines, boolean header, RowSink sink) {
        BufferedReader in = reader instanceof BufferedReader ? (BufferedReader) reader : new BufferedReader(reader, 1 << 16);
        List<String> names = null;
        double[] row = null;
        int lineNo = 0, widthLine = 0;
        try {
            for (String line; (line = in.readLine()) != null; ) {
                lineNo++;
                if (lineNo == 1 && !line.isEmpty() && line.charAt(0) == BOM) line = line.substring(1);
                if (lineNo <= skipLines || line.isBlank()) continue;
                String[] cells = split(line);
                if (row == null) {
                    row = new double[cells.length];
                    widthLine = lineNo;
                } else if (cells.length != row.length) {
                    throw new JanusException(source + ", line " + lineNo + ": " + cells.length + " values, expected "
                            + row.length + " (as on line " + widthLine + ")");
                }
                if (header && names == null) {
                    names = List.of(cells);
                    sink.columns(names, lineNo);
                    continue;
                }
                if (names == null) {
                    List<String> numbered = new ArrayList<>();
                    for (int c = 0; c < cells.length; c++) numbered.add("column " + (c + 1));
                    names = List.copyOf(numbered);
                    sink.columns(names, 0);
                }
                for (int c = 0; c < cells.length; c++) row[c] = parse(cells[c], source, lineNo, c, header ? names : null);
                sink.row(row, lineNo);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(source + ": read failed at line " + (lineNo + 1), e);
        }
    }

    /** The first line that is not blank (its byte order mark removed), or null: to tell what a file holds. */
    public static String firstLine(BufferedReader in) throws IOException {
        boolean first = true;
        for (String line; (line = in.readLine()) != null; first = false) {
            if (first && !line.isEmpty() && line.charAt(0) == BOM) line = line.substring(1);
            if (!line.isBlank()) return line;
        }
        return null;
    }

    /** The values of one line, unquoted and stripped. */
    public static String[] split(String line) {
        String[] cells = line.split(",", -1);
        for (int i = 0; i < cells.length; i++) {
            String c = cells[i].strip();
            if (c.length() >= 2 && c.startsWith("\"") && c.endsWith("\"")) c = c.substring(1, c.length() - 1).strip();
            cells[i] = c;
        }
        return cells;
    }

    private static double parse(String cell, String source, int line, int col, List<String> names) {
        if (cell.isEmpty()) throw new JanusException(where(source, line, col, names) + ": the value is empty");
        double v;
        try {
            v = Double.parseDouble(cell);
        } catch (NumberFormatException e) {
            throw new JanusException(where(source, line, col, names) + ": '" + cell + "' is not a number");
        }
        if (!Double.isFinite(v)) throw new JanusException(where(source, line, col, names) + ": '" + cell + "' is not a finite number");
        return v;
    }

    /** "file, line 3, column 2 (b)": where a value is, for messages (the column's name when the file names its columns). */
    public static String where(String source, int line, int col, List<String> names) {
        return source + ", line " + line + ", column " + (col + 1) + (names != null ? " (" + names.get(col) + ")" : "");
    }
}
