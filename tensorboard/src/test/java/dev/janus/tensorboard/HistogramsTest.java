package dev.janus.tensorboard;

import dev.janus.core.JanusException;
import dev.janus.tensorboard.proto.TensorBoardProtos.HistogramProto;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HistogramsTest {
    @Test
    void theDefaultEdgesAreTensorFlows() {
        // 1e-12 * 1.1^k < 1e20 for k = 0..773: 774 positive edges, DBL_MAX, mirrored, and 0.
        assertEquals(2 * 775 + 1, Histograms.LIMITS.length);
        assertEquals(-Double.MAX_VALUE, Histograms.LIMITS[0]);
        assertEquals(0.0, Histograms.LIMITS[775]);
        assertEquals(1e-12, Histograms.LIMITS[776]);
        assertEquals(1.1e-12, Histograms.LIMITS[777], 1e-27);
        assertEquals(Double.MAX_VALUE, Histograms.LIMITS[Histograms.LIMITS.length - 1]);
        for (int i = 1; i < Histograms.LIMITS.length; i++) assertEquals(-1, Double.compare(Histograms.LIMITS[i - 1], Histograms.LIMITS[i]));
    }

    @Test
    void aValueFallsInTheFirstBucketWhoseEdgeIsAboveIt() {
        assertEquals(776, Histograms.bucket(0.0));           // [0, 1e-12)
        assertEquals(775, Histograms.bucket(-1e-13));        // [-1e-12, 0)
        assertEquals(777, Histograms.bucket(1e-12));         // an edge belongs to the bucket above it
        assertEquals(Histograms.LIMITS.length - 1, Histograms.bucket(1e25));
    }

    @Test
    void emptyRunsMergeAsTensorFlowEncodesThem() {
        HistogramProto h = Histograms.of(new double[] {0.0, 0.0, 1e-13});
        // Everything below 0 is one empty bucket ending at 0, then [0, 1e-12) holds all three, then
        // one empty bucket up to DBL_MAX.
        assertEquals(List.of(0.0, 1e-12, Double.MAX_VALUE), h.getBucketLimitList());
        assertEquals(List.of(0.0, 3.0, 0.0), h.getBucketList());
        assertEquals(0.0, h.getMin());
        assertEquals(1e-13, h.getMax());
        assertEquals(3, h.getNum());
        assertEquals(1e-13, h.getSum());
        assertEquals(1e-26, h.getSumSquares(), 1e-40);
    }

    @Test
    void countsAddUpAndEdgesBracketTheValues() {
        double[] v = new double[1000];
        for (int i = 0; i < v.length; i++) v[i] = Math.sin(i) * 3 + (i % 7 == 0 ? 100 : 0);
        HistogramProto h = Histograms.of(v);
        double total = 0, sum = 0;
        for (double c : h.getBucketList()) total += c;
        for (double x : v) sum += x;
        assertEquals(1000, total);
        assertEquals(sum, h.getSum(), 1e-9);
        for (int i = 0; i < h.getBucketCount(); i++) {
            if (h.getBucket(i) == 0) continue;
            double lo = i == 0 ? Double.NEGATIVE_INFINITY : h.getBucketLimit(i - 1), hi = h.getBucketLimit(i);
            int n = 0;
            for (double x : v) if (x >= lo && x < hi) n++;
            assertEquals(n, h.getBucket(i), "bucket " + i);
        }
    }

    @Test
    void nonFiniteValuesAndNoValuesAreErrors() {
        JanusException e = assertThrows(JanusException.class, () -> Histograms.of(new double[] {1, Double.NaN}));
        assertEquals("histogram: value 1 is NaN", e.getMessage());
        assertThrows(JanusException.class, () -> Histograms.of(new double[0]));
    }
}
