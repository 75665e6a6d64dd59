package dev.janus.core.backend;

import dev.janus.core.DType;
import dev.janus.core.Device;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Native (ND4J buffer) storage: every access path, moves between kinds, and zero-copy interop. */
class NativeStorageTest {
    private static Tensor sample(DType dtype) {
        Tensor t = Tensor.empty(dtype, Shape.of(2, 3));
        for (int i = 0; i < 6; i++) t.setDouble(i, dtype == DType.BOOL ? i % 2 : i * 1.5 - 2);
        return t;
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void holdsEveryDtypeAsTheHeapDoes(DType dtype) {
        Tensor heap = sample(dtype);
        Tensor nat = heap.to(StorageKind.NATIVE);
        assertTrue(nat.storage() instanceof NativeStorage);
        assertEquals(Device.CPU, nat.device());
        assertEquals(heap.type(), nat.type());
        assertArrayEquals(heap.toDoubleArray(), nat.toDoubleArray());
        assertArrayEquals(heap.toLongArray(), nat.toLongArray());
        assertArrayEquals(heap.toBooleanArray(), nat.toBooleanArray());
        assertEquals(heap.toString(), nat.toString());

        Tensor back = nat.to(StorageKind.HEAP);
        assertTrue(back.storage() instanceof HeapStorage);
        assertArrayEquals(heap.toDoubleArray(), back.toDoubleArray());
        assertSame(nat, nat.to(StorageKind.NATIVE));
        assertSame(nat, nat.cpu());

        ByteBuffer a = ByteBuffer.allocate(6 * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer b = ByteBuffer.allocate(6 * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        heap.storage().toBytes(a);
        nat.storage().toBytes(b);
        assertArrayEquals(a.array(), b.array());
        Tensor read = StorageKind.NATIVE.empty(dtype, Shape.of(2, 3), Device.CPU);
        read.storage().fromBytes(ByteBuffer.wrap(a.array()).order(ByteOrder.LITTLE_ENDIAN));
        assertArrayEquals(heap.toDoubleArray(), read.toDoubleArray());

        Tensor copy = nat.copy();
        copy.fill(1);
        assertArrayEquals(heap.toDoubleArray(), nat.toDoubleArray(), "copy() is a new storage");
        nat.copyFrom(copy);
        assertEquals(1.0, nat.readDouble(5));
    }

    @Test
    void int64IsExact() {
        Tensor t = Tensor.of(new long[] {Long.MAX_VALUE, Long.MIN_VALUE + 1}).to(StorageKind.NATIVE);
        assertEquals(Long.MAX_VALUE, t.readLong(0));
        t.setLong(1, Long.MAX_VALUE - 7);
        assertArrayEquals(new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 7}, t.toLongArray());
    }

    @Test
    void rawArraysAreForHeapStorageOnly() {
        Tensor t = Tensor.ones(3).to(StorageKind.NATIVE);
        JanusException e = assertThrows(JanusException.class, t::f32);
        assertTrue(e.getMessage().contains("native storage"), e.getMessage());
        assertThrows(JanusException.class, () -> t.readDouble(3));
        assertThrows(JanusException.class, () -> t.storage().toHost(2, new float[4], 0, 2));
    }

    @Test
    void fromNd4jSharesTheBufferBothWays() {
        INDArray a = Nd4j.create(new float[] {1, 2, 3, 4, 5, 6}, new long[] {2, 3}, 'c');
        Tensor t = Tensor.fromNd4j(a);
        assertTrue(t.storage() instanceof NativeStorage);
        assertSame(a.data(), ((NativeStorage) t.storage()).buffer());
        a.putScalar(1, 2, 60f);
        assertEquals(60.0, t.getDouble(1, 2), "a change through the INDArray is seen by the tensor");
        t.setDouble(0, -1);
        assertEquals(-1.0, a.getDouble(0, 0), "and a change through the tensor by the INDArray");

        INDArray out = t.toNd4j();
        assertSame(a.data(), out.data());
        out.addi(1);
        assertArrayEquals(new float[] {0, 3, 4, 5, 6, 61}, t.toFloatArray(), "a change through toNd4j() is seen by the tensor");
    }

    @Test
    void aContiguousViewIsSharedAtItsOffset() {
        INDArray m = Nd4j.create(new double[] {1, 2, 3, 4, 5, 6}, new long[] {3, 2}, 'c');
        INDArray row = m.getRow(1);
        Tensor t = Tensor.fromNd4j(row);
        assertEquals(Shape.of(2), t.shape());
        assertArrayEquals(new double[] {3, 4}, t.toDoubleArray());
        m.putScalar(1, 1, 40.0);
        assertEquals(40.0, t.readDouble(1));
        t.toNd4j().putScalar(0, 30.0);
        assertEquals(30.0, m.getDouble(1, 0), "toNd4j of the shared view writes into the matrix");
    }

    @Test
    void otherLayoutsAreCopied() {
        INDArray m = Nd4j.create(new float[] {1, 2, 3, 4, 5, 6}, new long[] {2, 3}, 'c');
        Tensor tr = Tensor.fromNd4j(m.transpose());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, tr.toFloatArray());
        m.putScalar(0, 1, 20f);
        assertEquals(4.0, tr.getDouble(0, 1), "the transpose is a copy, not shared");
        Tensor f = Tensor.fromNd4j(Nd4j.create(new float[] {1, 2, 3, 4}, new long[] {2, 2}, 'f'));
        assertArrayEquals(new float[] {1, 3, 2, 4}, f.toFloatArray());
    }

    @Test
    void closeReleasesTheMemoryAtOnceAndLaterUseIsAClearError() {
        long before = org.bytedeco.javacpp.Pointer.totalBytes();
        Tensor t = StorageKind.NATIVE.empty(DType.FLOAT32, Shape.of(1000, 100), Device.CPU);
        assertEquals(before + 400_000, org.bytedeco.javacpp.Pointer.totalBytes(), "JavaCPP counts the storage's memory");
        t.storage().close();
        assertEquals(before, org.bytedeco.javacpp.Pointer.totalBytes());
        JanusException e = assertThrows(JanusException.class, () -> t.readDouble(0));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(JanusException.class, t::toFloatArray);
        t.storage().close();
        Tensor heap = Tensor.ones(3);
        heap.storage().close();
        assertEquals(1.0, heap.readDouble(2), "closing heap storage does nothing");
    }

    @Test
    void anArrayFromToNd4jKeepsTheMemoryAliveAfterTheTensorIsGone() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).to(StorageKind.NATIVE);
        INDArray a = t.toNd4j();
        assertSame(a.data(), t.toNd4j().data(), "one ND4J buffer per storage");
        t = null;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Tensor.zeros(256, 256).to(StorageKind.NATIVE);
        }
        assertArrayEquals(new float[] {1, 2, 3, 4}, a.data().asFloat());
    }

    @Test
    void heapTensorsCopyIntoNd4j() {
        Tensor t = Tensor.of(new float[] {1, 2}, 2);
        INDArray a = t.toNd4j();
        a.addi(1);
        assertArrayEquals(new float[] {1, 2}, t.toFloatArray());
    }
}
