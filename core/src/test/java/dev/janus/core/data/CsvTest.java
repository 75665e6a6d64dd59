package dev.janus.core.data;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CsvTest {
    private static NumericTable read(String text, int skip, boolean header) {
        return Csv.read(new StringReader(text), "t.csv", skip, header);
    }

    private static String error(String text, int skip, boolean header) {
        return assertThrows(JanusException.class, () -> read(text, skip, header)).getMessage();
    }

    @Test
    void readsNumbersWithHeaderQuotesAndBlankLines() {
        NumericTable t = read("a, \"b\" ,c\n1,2.5,\"3\"\n\n-4,5e-1,6\n", 0, true);
        assertEquals(List.of("a", "b", "c"), t.columnNames());
        assertEquals(2, t.rows());
        assertEquals(0.5, t.get(1, 1));
        Tensor x = t.columns(0, 2, DType.FLOAT64);
        assertArrayEquals(new double[] {1, 2.5, -4, 0.5}, x.f64());
        assertArrayEquals(new long[] {3, 6}, t.labels(2).i64());
    }

    @Test
    void namesFileLineAndColumnOfABadValue() {
        assertEquals("t.csv, line 3, column 2 (b): 'x7' is not a number", error("a,b\n1,2\n3,x7\n", 0, true));
        assertEquals("t.csv, line 2, column 1: the value is empty", error("meta\n,2\n", 1, false));
        assertEquals("t.csv, line 1, column 2: 'NaN' is not a finite number", error("1,NaN\n", 0, false));
        assertEquals("t.csv, line 3: 1 values, expected 2 (as on line 1)", error("1,2\n3,4\n5\n", 0, false));
        assertEquals("t.csv: no data rows (after 1 skipped lines and a header)", error("x\na,b\n", 1, true));
    }

    @Test
    void aByteOrderMarkIsNotPartOfTheFirstLine() {
        NumericTable plain = read("\uFEFF1,2\n3,4\n", 0, false);
        assertEquals(2, plain.rows());
        assertEquals(1.0, plain.get(0, 0));
        NumericTable named = read("\uFEFFa,b\n1,2\n", 0, true);
        assertEquals(List.of("a", "b"), named.columnNames());
    }

    @Test
    void streamsRowByRowWithTheirLines() {
        List<String> seen = new java.util.ArrayList<>();
        Csv.stream(new StringReader("x,y\n1,2\n\n3,4\n"), "t.csv", 0, true, new Csv.RowSink() {
            @Override
            public void columns(List<String> names, int line) {
                seen.add(names + " at " + line);
            }

            @Override
            public void row(double[] values, int line) {
                seen.add(java.util.Arrays.toString(values) + " at " + line);
            }
        });
        assertEquals(List.of("[x, y] at 1", "[1.0, 2.0] at 2", "[3.0, 4.0] at 4"), seen);
    }

    @Test
    void labelsMustBeWholeNumbers() {
        NumericTable t = read("1,0\n2,1.5\n", 0, false);
        assertEquals("t.csv, line 2, column 2 (column 2): 1.5 is not a class label (a whole number >= 0)",
                assertThrows(JanusException.class, () -> t.labels(1)).getMessage());
    }

    @Test
    void readsFilesAndReportsAMissingOne(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("d.csv");
        Files.writeString(f, "1,2\n3,oops\n");
        String msg = assertThrows(JanusException.class, () -> Csv.read(f, 0, false)).getMessage();
        assertEquals(f + ", line 2, column 2: 'oops' is not a number", msg);
        Path missing = dir.resolve("none.csv");
        assertEquals("CSV file " + missing + " does not exist",
                assertThrows(JanusException.class, () -> Csv.read(missing, 0, false)).getMessage());
    }

    @Test
    void irisShipsWithTheLibrary() {
        TensorDataset iris = Iris.load();
        assertEquals(150, iris.size());
        assertEquals("float32[150, 4]", iris.tensor(0).type().toString());
        assertArrayEquals(new float[] {5.1f, 3.5f, 1.4f, 0.2f}, iris.get(0)[0].f32());
        assertArrayEquals(new float[] {5.9f, 3.0f, 5.1f, 1.8f}, iris.get(149)[0].f32());
        long[] counts = new long[3];
        for (long y : iris.tensor(1).i64()) counts[(int) y]++;
        assertArrayEquals(new long[] {50, 50, 50}, counts);
    }

    @Test
    void digitsShipWithTheLibrary() {
        TensorDataset digits = Digits.load();
        assertEquals(1797, digits.size());
        assertEquals("float32[1797, 64]", digits.tensor(0).type().toString());
        float[] first = digits.get(0)[0].f32();
        assertArrayEquals(new float[] {0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0}, java.util.Arrays.copyOf(first, 16));
        long[] counts = new long[10];
        for (long y : digits.tensor(1).i64()) counts[(int) y]++;
        assertArrayEquals(new long[] {178, 182, 177, 183, 181, 182, 181, 179, 174, 180}, counts);
    }
}
