package dev.janus.core;

import dev.janus.core.ops.Immediate;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Tensor.toString against PyTorch's own repr of the same tensors (resources/format/make_reference.py).
 * Janus names the dtype without torch's "torch." prefix.
 */
class TensorFormatTest {
    private static final Immediate E = Immediate.global();

    private static Tensor range(int n, DType dt, int... shape) {
        return E.cast(Tensor.arange(n), dt).view(Shape.of(shape));
    }

    private static Map<String, Supplier<Tensor>> cases() {
        Map<String, Supplier<Tensor>> c = new LinkedHashMap<>();
        c.put("ints_as_float", () -> Tensor.of(new float[] {1, 2, 3}));
        c.put("fixed_2d", () -> Tensor.of(new float[][] {{1.5f, 2.25f}, {3, 4}}));
        c.put("negative_fixed", () -> Tensor.of(new float[] {-1.5f, 0.25f, 3}));
        c.put("scientific", () -> Tensor.of(new float[] {1e-5f, 1, 1e10f}));
        c.put("small_values", () -> Tensor.of(new float[] {0.00001234f, 0.5f}));
        c.put("nan_inf", () -> Tensor.of(new float[] {-1.5f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}));
        c.put("cube", () -> range(8, DType.FLOAT32, 2, 2, 2));
        c.put("int64", () -> Tensor.arange(5));
        c.put("int64_negative", () -> Tensor.of(new long[] {-10, 2, 3, 400}, 2, 2));
        c.put("bool", () -> Tensor.of(new boolean[] {true, false, true}));
        c.put("float64", () -> Tensor.of(new double[] {0.5, 1.25}));
        c.put("scalar_float", () -> Tensor.scalar(3.5));
        c.put("scalar_int", () -> Tensor.scalar(7, DType.INT64));
        c.put("empty", () -> Tensor.zeros(0));
        c.put("empty_2d", () -> Tensor.zeros(0, 3));
        c.put("zeros", () -> Tensor.zeros(2, 2));
        c.put("long_row", () -> E.mul(range(30, DType.FLOAT32, 30), Tensor.scalar(1.5)));
        c.put("summarized_1d", () -> range(2000, DType.FLOAT32, 2000));
        c.put("summarized_2d", () -> E.div(range(1600, DType.FLOAT32, 40, 40), Tensor.scalar(7)));
        c.put("summarized_3d", () -> range(1200, DType.FLOAT32, 2, 20, 30));
        c.put("float64_wide", () -> E.div(range(12, DType.FLOAT64, 1, 12), Tensor.scalar(3, DType.FLOAT64)));
        return c;
    }

    private static Map<String, String> reference() throws IOException {
        Map<String, String> ref = new LinkedHashMap<>();
        try (InputStream in = TensorFormatTest.class.getResourceAsStream("/format/reference.txt")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (String block : text.split("(?m)^== ")) {
                if (block.isEmpty()) continue;
                int nl = block.indexOf('\n');
                ref.put(block.substring(0, nl), block.substring(nl + 1).stripTrailing().replace("torch.", ""));
            }
        }
        return ref;
    }

    @Test
    void printsExactlyAsPyTorchDoes() throws IOException {
        Map<String, String> ref = reference();
        assertEquals(ref.keySet(), cases().keySet(), "every reference case is built here");
        for (Map.Entry<String, Supplier<Tensor>> c : cases().entrySet()) {
            String expected = ref.get(c.getKey());
            assertNotNull(expected, c.getKey());
            assertEquals(expected, c.getValue().get().toString(), c.getKey());
        }
    }
}
