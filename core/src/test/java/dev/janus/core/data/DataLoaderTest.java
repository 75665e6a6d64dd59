package dev.janus.core.data;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DataLoaderTest {
    /** Ten examples: features [i, 10 i] and label i. */
    private static TensorDataset ten() {
        float[] x = new float[20];
        long[] y = new long[10];
        for (int i = 0; i < 10; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = 10 * i;
            y[i] = i;
        }
        return new TensorDataset(Tensor.of(x, 10, 2), Tensor.of(y));
    }

    private static List<long[]> labels(DataLoader loader) {
        List<long[]> out = new ArrayList<>();
        for (Tensor[] b : loader) out.add(b[1].i64());
        return out;
    }

    @Test
    void batchesInOrderWithASmallerLastBatch() {
        DataLoader loader = new DataLoader(ten(), 4);
        assertEquals(3, loader.size());
        List<Tensor[]> batches = new ArrayList<>();
        loader.forEach(batches::add);
        assertEquals(3, batches.size());
        assertEquals("float32[4, 2]", batches.get(0)[0].type().toString());
        assertArrayEquals(new float[] {4, 40, 5, 50, 6, 60, 7, 70}, batches.get(1)[0].f32());
        assertArrayEquals(new long[] {8, 9}, batches.get(2)[1].i64());
    }

    @Test
    void dropLastDropsTheShortBatch() {
        DataLoader loader = new DataLoader(ten(), 4, false, true, new Generator(1));
        assertEquals(2, loader.size());
        assertEquals(2, labels(loader).size());
    }

    @Test
    void seededShuffleRepeatsAndCoversEveryExampleOnce() {
        List<long[]> a = labels(new DataLoader(ten(), 3, true, false, new Generator(7)));
        List<long[]> b = labels(new DataLoader(ten(), 3, true, false, new Generator(7)));
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i));
        long[] all = a.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, all);

        DataLoader loader = new DataLoader(ten(), 10, true, false, new Generator(7));
        long[] epoch1 = labels(loader).get(0), epoch2 = labels(loader).get(0);
        assertFalse(Arrays.equals(epoch1, epoch2), "each epoch draws a new order");
    }

    @Test
    void featuresAndLabelsStayPairedWhenShuffled() {
        for (Tensor[] b : new DataLoader(ten(), 4, true, false, new Generator(3))) {
            for (int i = 0; i < b[1].numel(); i++) assertEquals(b[1].i64()[i] * 10, b[0].getDouble(i, 1));
        }
    }

    @Test
    void genericDatasetsAreStacked() {
        Dataset squares = new Dataset() {
            public int size() {
                return 5;
            }

            public Tensor[] get(int i) {
                return new Tensor[] {Tensor.full(i * i, DType.FLOAT64, 3)};
            }
        };
        Tensor[] b = squares.batch(new int[] {4, 2});
        assertEquals("float64[2, 3]", b[0].type().toString());
        assertArrayEquals(new double[] {16, 16, 16, 4, 4, 4}, b[0].f64());
    }

    @Test
    void badArgumentsAreNamed() {
        assertThrows(JanusException.class, () -> new DataLoader(ten(), 0));
        assertEquals("TensorDataset: tensor 1 has shape [3], tensor 0 has [2, 2]; their first dimensions (the example counts) must agree",
                assertThrows(ShapeException.class, () -> new TensorDataset(Tensor.zeros(2, 2), Tensor.zeros(3))).getMessage());
    }

    @Test
    void trainTestSplitIsSeededAndDisjoint() {
        Split s = Split.trainTest(ten(), 0.25, 42);
        assertEquals(7, s.train().size());
        assertEquals(3, s.test().size());
        long[] both = new long[10];
        System.arraycopy(s.train().tensor(1).i64(), 0, both, 0, 7);
        System.arraycopy(s.test().tensor(1).i64(), 0, both, 7, 3);
        Arrays.sort(both);
        assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, both);
        assertArrayEquals(s.test().tensor(1).i64(), Split.trainTest(ten(), 0.25, 42).test().tensor(1).i64());
        assertFalse(Arrays.equals(s.test().tensor(1).i64(), Split.trainTest(ten(), 0.25, 43).test().tensor(1).i64()));
        assertThrows(JanusException.class, () -> Split.trainTest(ten(), 1.0, 1));
    }

    @Test
    void standardScalerFitsOnTrainAndAppliesToTest() {
        // Column 0: 1, 2, 3 (mean 2, population std sqrt(2/3)); column 1 constant 5 (scale 1).
        Tensor train = Tensor.of(new double[][] {{1, 5}, {2, 5}, {3, 5}});
        StandardScaler s = new StandardScaler().fit(train);
        assertArrayEquals(new double[] {2, 5}, s.mean());
        assertArrayEquals(new double[] {Math.sqrt(2.0 / 3), 1}, s.scale(), 1e-15);
        Tensor test = s.transform(Tensor.of(new double[][] {{4, 7}}));
        assertArrayEquals(new double[] {2 / Math.sqrt(2.0 / 3), 2}, test.f64(), 1e-12);
        assertEquals(DType.FLOAT32, s.transform(Tensor.of(new float[] {1, 2}, 1, 2)).dtype());
        assertThrows(ShapeException.class, () -> s.transform(Tensor.zeros(2, 3)));
        assertThrows(JanusException.class, () -> new StandardScaler().transform(train));
        assertThrows(JanusException.class, () -> new StandardScaler().fit(Tensor.of(new double[][] {{1, Double.NaN}})));
    }
}
