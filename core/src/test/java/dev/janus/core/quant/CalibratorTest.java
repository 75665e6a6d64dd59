package dev.janus.core.quant;

import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.io.Json;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The calibrators and scales against onnxruntime.quantization's on the same values
 * (resources/quant/make_reference.py), and by hand.
 */
class CalibratorTest {
    @SuppressWarnings("unchecked")
    private static Map<String, Object> reference() throws IOException {
        try (InputStream in = CalibratorTest.class.getResourceAsStream("/quant/reference.json")) {
            return (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static float[] batches() throws IOException {
        try (InputStream in = CalibratorTest.class.getResourceAsStream("/quant/batches.bin")) {
            ByteBuffer b = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
            float[] v = new float[b.remaining() / 4];
            b.asFloatBuffer().get(v);
            return v;
        }
    }

    /** Runs {@code method} over each case's batches; checks its range against onnxruntime's with the tolerance. */
    @SuppressWarnings("unchecked")
    private static void againstOnnxRuntime(String refName, Calibrator method, double tolerance) throws IOException {
        float[] all = batches();
        int at = 0;
        for (Map.Entry<String, Object> e : reference().entrySet()) {
            Map<String, Object> c = (Map<String, Object>) e.getValue();
            Calibrator cal = method.fresh();
            for (Object size : (List<Object>) c.get("batch_sizes")) {
                int n = ((Number) size).intValue();
                float[] batch = new float[n];
                System.arraycopy(all, at, batch, 0, n);
                at += n;
                cal.observe(Tensor.of(batch));
            }
            List<Object> want = (List<Object>) ((Map<String, Object>) c.get("ranges")).get(refName);
            double[] got = cal.range();
            for (int k = 0; k < 2; k++) {
                double w = ((Number) want.get(k)).doubleValue();
                assertEquals(w, got[k], tolerance * Math.max(1, Math.abs(w)), refName + " of '" + e.getKey() + "', " + (k == 0 ? "min" : "max"));
            }
        }
    }

    @Test
    void minMaxAsOnnxRuntime() throws IOException {
        againstOnnxRuntime("minmax", Calibrator.minMax(), 0);
    }

    /** The same histogram and cut: the same bin edges, to float32 rounding of the edges. */
    @Test
    void percentileAsOnnxRuntime() throws IOException {
        againstOnnxRuntime("percentile 99.9", Calibrator.percentile(99.9), 1e-6);
        againstOnnxRuntime("percentile 99.999", Calibrator.percentile(99.999), 1e-6);
    }

    /** TensorRT's KL search as onnxruntime codes it: the same threshold (its KL sums run in float32, ours in double). */
    @Test
    void entropyAsOnnxRuntime() throws IOException {
        againstOnnxRuntime("entropy", Calibrator.entropy(), 1e-6);
    }

    @Test
    void entropyClipsOutliersThatMinMaxKeeps() {
        float[] v = new float[10001];
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < 10000; i++) v[i] = (float) r.nextGaussian();
        v[10000] = 50;
        Calibrator kl = Calibrator.entropy(), mm = Calibrator.minMax();
        kl.observe(Tensor.of(v));
        mm.observe(Tensor.of(v));
        assertEquals(50, mm.range()[1]);
        assertTrue(kl.range()[1] < 10 && kl.range()[1] > 2, "entropy range " + java.util.Arrays.toString(kl.range()));
        assertArrayEquals(mm.range(), kl.observedRange());
    }

    @SuppressWarnings("unchecked")
    @Test
    void uint8ScaleAndZeroPointAsOnnxRuntime() throws IOException {
        for (Map.Entry<String, Object> e : reference().entrySet()) {
            Map<String, Object> c = (Map<String, Object>) e.getValue();
            List<Object> r = (List<Object>) ((Map<String, Object>) c.get("ranges")).get("minmax");
            Map<String, Object> want = (Map<String, Object>) c.get("uint8");
            QuantParams p = QuantParams.uint8(((Number) r.get(0)).doubleValue(), ((Number) r.get(1)).doubleValue());
            assertEquals(((Number) want.get("scale")).floatValue(), (float) p.scale(), 0, e.getKey());
            assertEquals(((Number) want.get("zero_point")).intValue(), p.zeroPoint(), e.getKey());
        }
    }

    @Test
    void paramsByHand() {
        // [-1, 3] on uint8: scale 4 / 255, zero point round(0 + 1 / scale) = round(63.75) = 64.
        QuantParams p = QuantParams.uint8(-1, 3);
        assertEquals((float) (4.0 / 255), (float) p.scale(), 0);
        assertEquals(64, p.zeroPoint());
        assertEquals(64, p.quantize(0));
        assertEquals(0, p.quantize(-5));
        assertEquals(255, p.quantize(3.1));
        assertEquals(0f, p.dequantize(64));
        // A range that excludes 0 is widened to include it: [2, 6] is quantized as [0, 6].
        assertEquals(0, QuantParams.uint8(2, 6).zeroPoint());
        assertEquals((float) (6.0 / 255), (float) QuantParams.uint8(2, 6).scale(), 0);
        // Symmetric weights: |w| <= 0.635 on [-127, 127], scale 0.005, zero point 0.
        QuantParams w = QuantParams.symmetricWeight(0.635);
        assertEquals(0.005f, (float) w.scale(), 1e-9);
        assertEquals(0, w.zeroPoint());
        assertEquals(-127, w.quantize(-0.635));
        assertEquals(-127, w.quantize(-1));
        // An all-zero tensor: scale 1, zero point 0, as onnxruntime.
        assertEquals(1, QuantParams.uint8(0, 0).scale());
        assertEquals(0, QuantParams.int8(0, 0).zeroPoint());
    }

    @Test
    void badInputIsAClearError() {
        assertThrows(JanusException.class, () -> Calibrator.minMax().range());
        assertTrue(assertThrows(JanusException.class, () -> Calibrator.parse("mse")).getMessage().contains("minmax"));
        assertThrows(JanusException.class, () -> Calibrator.percentile(30));
        assertThrows(JanusException.class, () -> QuantParams.uint8(Double.NaN, 1));
        Calibrator c = Calibrator.minMax();
        assertThrows(JanusException.class, () -> c.observe(Tensor.of(new float[] {1, Float.POSITIVE_INFINITY})));
        assertEquals("percentile 99.99", Calibrator.parse("percentile:99.99").toString());
    }
}
