package dev.janus.core.io;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.backend.HeapStorage;

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
        Object chunk = HeapStorage.newArray(t.dtype(), per);
        for (int from = 0; from < n; from += per) {
            int k = Math.min(per, n - from);
            if (k < per) chunk = HeapStorage.newArray(t.dtype(), k);
            t.storage().toHost(from, chunk, 0, k);
            buf.clear();
            HeapStorage.putBytes(chunk, buf);
            out.write(buf.array(), 0, k * width);
        }
    }

    /** Reads {@code shape.size()} elements; an {@link EOFException} when the stream ends first. */
    public static Tensor read(InputStream in, DType dtype, Shape shape, ByteOrder order) throws IOException {
        Tensor t = Tensor.empty(dtype, shape);
        int width = dtype.bytes(), n = t.numel(), per = CHUNK / width;
        byte[] bytes = new byte[per * width];
        Object chunk = HeapStorage.newArray(dtype, per);
        for (int from = 0; from < n; from += per) {
            int k = Math.min(per, n - from);
            if (k < per) chunk = HeapStorage.newArray(dtype, k);
            readFully(in, bytes, k * width);
            HeapStorage.getBytes(ByteBuffer.wrap(bytes, 0, k * width).order(order), chunk);
            t.storage().fromHost(chunk, 0, from, k);
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
