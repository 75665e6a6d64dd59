package dev.janus.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TensorTest {
    @Test
    void creation() {
        assertArrayEquals(new float[] {0, 0, 0, 0}, Tensor.zeros(2, 2).f32());
        assertArrayEquals(new double[] {1, 1}, Tensor.ones(DType.FLOAT64, 2).f64());
        assertArrayEquals(new long[] {7, 7, 7}, Tensor.full(7, DType.INT64, 3).i64());
        assertArrayEquals(new long[] {0, 1, 2, 3}, Tensor.arange(4).i64());
        assertArrayEquals(new double[] {1, 1.5, 2, 2.5}, Tensor.arange(1, 3, 0.5, DType.FLOAT64).f64());
        assertArrayEquals(new float[] {3, 2}, Tensor.arange(3, 1, -1, DType.FLOAT32).f32());
        assertEquals(Shape.of(0), Tensor.arange(0).shape());
        Tensor m = Tensor.of(new float[][] {{1, 2, 3}, {4, 5, 6}});
        assertEquals(Shape.of(2, 3), m.shape());
        assertEquals(6f, m.getFloat(1, 2));
        assertEquals(4.0, m.getDouble(-1, 0));
        assertEquals(Shape.scalar(), Tensor.scalar(2.5).shape());
        assertEquals(2.5, Tensor.scalar(2.5).item());
    }

    @Test
    void ofCopiesAndWrapDoesNot() {
        float[] data = {1, 2, 3, 4};
        Tensor copy = Tensor.of(data, 2, 2);
        Tensor wrapped = Tensor.wrap(data, DType.FLOAT32, Shape.of(4));
        data[0] = 9;
        assertEquals(1f, copy.getFloat(0, 0));
        assertEquals(9f, wrapped.getFloat(0));
        assertThrows(JanusException.class, () -> Tensor.wrap(new double[4], DType.FLOAT32, Shape.of(4)));
    }

    @Test
    void conversions() {
        Tensor t = Tensor.of(new double[] {1.5, -2.5});
        assertArrayEquals(new float[] {1.5f, -2.5f}, t.toFloatArray());
        assertArrayEquals(new long[] {1, -2}, t.toLongArray());
        assertArrayEquals(new boolean[] {true, true}, t.toBooleanArray());
        assertNotSame(t.f64(), t.toDoubleArray());
        assertEquals(1L, Tensor.of(new boolean[] {true}).getLong(0));
    }

    @Test
    void viewsShareStorageAndCopiesDoNot() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor v = t.view(Shape.of(4));
        Tensor c = t.copy();
        t.f32()[0] = 7;
        assertEquals(7f, v.getFloat(0));
        assertEquals(1f, c.getFloat(0, 0));
        c.copyFrom(t);
        assertEquals(7f, c.getFloat(0, 0));
        assertThrows(ShapeException.class, () -> c.copyFrom(Tensor.zeros(4)));
        assertThrows(ShapeException.class, () -> t.view(Shape.of(3)));
    }

    @Test
    void badInputsAreNamed() {
        ShapeException e = assertThrows(ShapeException.class, () -> Tensor.of(new float[] {1, 2, 3}, 2, 2));
        assertEquals("Tensor.of: 3 values do not fill shape [2, 2] (4 elements)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Tensor.zeros(2, 3).getDouble(2, 0));
        assertEquals("index 2 is out of bounds for dimension 0 with size 2", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Tensor.zeros(2, 3).item());
        assertEquals("item: tensor of shape [2, 3] has 6 elements, not 1", e.getMessage());
        assertThrows(ShapeException.class, () -> Tensor.of(new float[][] {{1, 2}, {3}}));
        assertThrows(JanusException.class, () -> Tensor.zeros(2).f64());
        assertThrows(JanusException.class, () -> Tensor.arange(0, 1, 0, DType.FLOAT32));
    }

    @Test
    void nd4jRoundTrip() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        org.nd4j.linalg.api.ndarray.INDArray a = t.toNd4j();
        assertArrayEquals(new long[] {2, 3}, a.shape());
        assertEquals(6.0, a.getDouble(1, 2));
        Tensor back = Tensor.fromNd4j(a.transpose());
        assertEquals(Shape.of(3, 2), back.shape());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, back.toFloatArray());
        assertArrayEquals(new long[] {3, 4}, Tensor.fromNd4j(Tensor.of(new long[] {3, 4}).toNd4j()).toLongArray());
        assertArrayEquals(new double[] {0.5}, Tensor.fromNd4j(Tensor.of(new double[] {0.5}).toNd4j()).toDoubleArray());
        assertArrayEquals(new boolean[] {true, false}, Tensor.fromNd4j(Tensor.of(new boolean[] {true, false}).toNd4j()).toBooleanArray());
    }
}
