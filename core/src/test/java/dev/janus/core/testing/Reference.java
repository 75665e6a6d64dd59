package dev.janus.core.testing;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Reference outputs written by a Python script committed beside them: lines of
 * "case output dims values...", dims joined by 'x'. The script's inputs follow {@link #pattern}
 * and {@link #positive}, which the tests repeat exactly.
 */
public final class Reference {
    private final Map<String, Tensor> values = new HashMap<>();

    private Reference() {
    }

    /** Loads a test resource such as "/nn/reference.txt". */
    public static Reference load(String resource) {
        Reference r = new Reference();
        InputStream in = Reference.class.getResourceAsStream(resource);
        if (in == null) throw new IllegalArgumentException("no test resource " + resource);
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.isBlank()) continue;
                String[] f = line.trim().split(" ");
                int[] dims = f[2].equals("scalar") ? new int[0] : java.util.Arrays.stream(f[2].split("x")).mapToInt(Integer::parseInt).toArray();
                double[] v = new double[f.length - 3];
                for (int i = 0; i < v.length; i++) v[i] = Double.parseDouble(f[3 + i]);
                r.values.put(f[0] + " " + f[1], Tensor.wrap(v, DType.FLOAT64, Shape.of(dims)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return r;
    }

    public Tensor get(String testCase, String output) {
        Tensor t = values.get(testCase + " " + output);
        if (t == null) throw new IllegalArgumentException("no reference for " + testCase + " " + output);
        return t;
    }

    /** Element i is ((37 i + 11 seed) mod 101 - 50) scale: distinct, exactly representable, no ties within 101 elements. */
    public static Tensor pattern(int seed, double scale, DType dtype, int... shape) {
        Tensor t = Tensor.empty(dtype, Shape.of(shape));
        for (int i = 0; i < t.numel(); i++) t.setDouble(i, ((37L * i + 11L * seed) % 101 - 50) * scale);
        return t;
    }

    public static Tensor pattern(int seed, DType dtype, int... shape) {
        return pattern(seed, 1.0 / 32, dtype, shape);
    }

    /** Element i is ((37 i + 11 seed) mod 101 + 10) / 64: positive, for variances. */
    public static Tensor positive(int seed, DType dtype, int... shape) {
        Tensor t = Tensor.empty(dtype, Shape.of(shape));
        for (int i = 0; i < t.numel(); i++) t.setDouble(i, ((37L * i + 11L * seed) % 101 + 10) / 64.0);
        return t;
    }

    /** Tolerance for comparing a dtype's result with a float64 reference. */
    public static double tolerance(DType dtype) {
        return dtype == DType.FLOAT64 ? 1e-12 : 2e-5;
    }
}
