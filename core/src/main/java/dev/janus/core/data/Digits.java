package dev.janus.core.data;

import dev.janus.core.DType;
import dev.janus.core.JanusException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPInputStream;

/**
 * Handwritten digits, 1,797 images of 8x8 pixels in 10 classes (the UCI optical recognition data as
 * scikit-learn ships it, BSD-3-Clause; the licence is beside the file in the resources). Each line
 * of digits.csv.gz holds 64 pixel values 0..16, row by row, then the label 0..9.
 */
public final class Digits {
    public static final int IMAGES = 1797, SIDE = 8, CLASSES = 10;

    private Digits() {
    }

    /** The raw table: 64 pixel columns, then the label. */
    public static NumericTable table() {
        InputStream raw = Digits.class.getResourceAsStream("digits.csv.gz");
        if (raw == null) throw new JanusException("digits.csv.gz is missing from the resources");
        try (InputStream in = new GZIPInputStream(raw)) {
            return Csv.read(in, "digits.csv.gz", 0, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read digits.csv.gz: " + e.getMessage(), e);
        }
    }

    /** Pixels float32 [1797, 64] (values 0..16, row by row) and labels int64 [1797]. */
    public static TensorDataset load() {
        NumericTable t = table();
        return new TensorDataset(t.columns(0, SIDE * SIDE, DType.FLOAT32), t.labels(SIDE * SIDE));
    }
}
