package dev.janus.core.io;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A tensor's elements as bytes in a given byte order (bool as one byte, 0 or 1), streamed through
 * a small buffer: saving or loading a large tensor never holds a second copy of it.
 */
public final class TensorBytes {
    private static final int CHUNK = 1 << 16;

    private TensorBytes() {
    }

    public static void write(OutputStream out, Tensor t, ByteOrder order) throws IOException {
        int width = t.dtype().bytes(), n = t.numel(), per = CHUNK / width;
        ByteBuffer buf = ByteBuffer.allocate(per * width).order(order);
        for (int from = 0; from < n; from += per) {
            int k = Math.min(per, n - from);
            buf.clear();
            switch (t.dtype()) {
                case FLOAT32: buf.asFloatBuffer().put(t.f32(), from, k); break;
                case FLOAT64: buf.asDoubleBuffer().put(t.f64(), from, k); break;
                case INT64: buf.asLongBuffer().put(t.i64(), from, k); break;
                default: for (int i = 0; i < k; i++) buf.put(i, (byte) (t.bool()[from + i] ? 1 : 0));
            }
            out.write(buf.array(), 0, k * width);
        }
    }

    /** Reads {@code shape.size()} elements; an {@link EOFException} when the stream ends first. */
    public static Tensor read(InputStream in, DType dtype, Shape shape, ByteOrder order) throws IOException {
        Tensor t = Tensor.empty(dtype, shape);
        int width = dtype.bytes(), n = t.numel(), per = CHUNK / width;
        byte[] chunk = new byte[per * width];
        ByteBuffer buf = ByteBuffer.wrap(chunk).order(order);
        for (int from = 0; from < n; from += per) {
            int k = Math.min(per, n - from);
            readFully(in, chunk, k * width);
            switch (dtype) {
                case FLOAT32: buf.asFloatBuffer().get(t.f32(), from, k); break;
                case FLOAT64: buf.asDoubleBuffer().get(t.f64(), from, k); break;
                case INT64: buf.asLongBuffer().get(t.i64(), from, k); break;
                default: for (int i = 0; i < k; i++) t.bool()[from + i] = chunk[i] != 0;
            }
        }
        return t;
    }

    private static void readFully(InputStream in, byte[] b, int len) throws IOException {
        for (int at = 0; at < len; ) {
            int got = in.read(b, at, len - at);
            if (got < 0) throw new EOFException("the data ends " + (len - at) + " bytes early");
            at += got;
        }
    }
}
