package dev.janus.core;

import dev.janus.core.backend.NativeStorage;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Janus tensors to and from ND4J arrays. Kept apart so ND4J loads only when asked for. */
final class Nd4jConvert {
    private Nd4jConvert() {
    }

    static INDArray toNd4j(Tensor t) {
        long[] shape = t.shape().toLongArray();
        if (t.storage() instanceof NativeStorage) {
            NativeStorage s = (NativeStorage) t.storage();
            long[] strides = java.util.Arrays.stream(t.shape().strides()).asLongStream().toArray();
            return Nd4j.create(s.buffer(), shape, strides, s.offset(), 'c', s.buffer().dataType());
        }
        if (!t.device().isCpu()) return toNd4j(t.cpu());
        switch (t.dtype()) {
            case FLOAT32: return Nd4j.create(t.toFloatArray(), shape, 'c');
            case FLOAT64: return Nd4j.create(t.toDoubleArray(), shape, 'c');
            case INT64: return Nd4j.createFromArray(t.toLongArray()).reshape('c', shape);
            case BOOL: return Nd4j.createFromArray(t.toBooleanArray()).reshape('c', shape);
            default: return toNd4j(t.to(dev.janus.core.backend.StorageKind.NATIVE));   // a copy in an ND4J buffer of its type
        }
    }

    /**
     * Shares the array's buffer when its elements lie in it as a tensor's do: c order, contiguous
     * (element-wise stride 1), outside any workspace (whose memory is reused), starting at the
     * buffer's own memory. Otherwise copies the elements, in c order, into a new native buffer.
     */
    static Tensor fromNd4j(INDArray a) {
        DType dtype = NativeStorage.dtypeOf(a.dataType());
        Shape shape = Shape.of(a.shape());
        if (a.isEmpty()) return Tensor.wrap(NativeStorage.allocate(dtype, 0), shape);
        if (shareable(a)) return Tensor.wrap(share(a), shape);
        INDArray c = a.isAttached() ? a.detach() : a;
        if (!shareable(c)) c = c.dup('c');
        return Tensor.wrap(share(c), shape);
    }

    // A view's buffer (ND4J 1.0.0-M2.1) starts at the view's own offset into its parent's memory.
    private static NativeStorage share(INDArray a) {
        return new NativeStorage(a.data(), a.offset() - a.data().offset(), (int) a.length());
    }

    private static boolean shareable(INDArray a) {
        if (a.isEmpty() || a.isAttached() || a.ordering() != 'c' || a.length() > Integer.MAX_VALUE - 8) return false;
        if (a.length() > 1 && a.elementWiseStride() != 1) return false;
        long start = a.offset() - a.data().offset();
        return start >= 0 && start + a.length() <= a.data().length() && a.data().addressPointer().position() == 0;
    }
}
