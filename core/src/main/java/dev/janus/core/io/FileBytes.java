package dev.janus.core.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The bytes of a file, read where they lie: memory-mapped a window at a time, so a file of any size
 * is read in bounded heap, and its size is known before anything is read, so that sizes declared
 * inside the file can be checked against it before anything is allocated. A byte array stands in
 * for a file (in tests).
 */
public final class FileBytes implements Closeable {
    /** How much of a file one stream maps at a time. */
    private static final int WINDOW = 1 << 26;

    private final FileChannel channel;
    private final ByteBuffer memory;
    private final long size;
    private final String source;

    private FileBytes(FileChannel channel, ByteBuffer memory, long size, String source) {
        this.channel = channel;
        this.memory = memory;
        this.size = size;
        this.source = source;
    }

    /** Opens a file for reading; nothing is read yet. */
    public static FileBytes open(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        return new FileBytes(ch, null, ch.size(), path.toString());
    }

    /** Bytes in memory, read as if they were a file named {@code source}. */
    public static FileBytes of(byte[] bytes, String source) {
        return new FileBytes(null, ByteBuffer.wrap(bytes), bytes.length, source);
    }

    public long size() {
        return size;
    }

    /** The file's name, for messages. */
    public String source() {
        return source;
    }

    /** Bytes [offset, offset + length) as a read-only big-endian buffer (mapped, for a file). */
    public ByteBuffer slice(long offset, int length) throws IOException {
        if (offset < 0 || length < 0 || offset + length > size) {
            throw new IOException(source + ": bytes " + offset + " to " + (offset + length) + " lie outside the file's " + size + " bytes");
        }
        if (memory != null) return memory.duplicate().position((int) offset).limit((int) offset + length).slice().asReadOnlyBuffer();
        return channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
    }

    /**
     * A stream of the {@code length} bytes from {@code offset}, mapped a window at a time (no
     * buffering needed on top); {@code available()} and {@link Stream#remaining()} are what is left.
     */
    public Stream stream(long offset, long length) throws IOException {
        if (offset < 0 || length < 0 || offset + length > size) {
            throw new IOException(source + ": bytes " + offset + " to " + (offset + length) + " lie outside the file's " + size + " bytes");
        }
        return new Stream(offset, offset + length);
    }

    @Override
    public void close() throws IOException {
        if (channel != null) channel.close();
    }

    /** Reads [at, end) through one mapped window after another. */
    public final class Stream extends InputStream {
        private long at;
        private final long end;
        private ByteBuffer window = ByteBuffer.allocate(0);

        private Stream(long at, long end) {
            this.at = at;
            this.end = end;
        }

        /** The bytes not read yet. */
        public long remaining() {
            return window.remaining() + (end - at);
        }

        /** The current window with bytes left in it, or null at the end. */
        private ByteBuffer current() throws IOException {
            if (!window.hasRemaining()) {
                if (at == end) return null;
                int n = (int) Math.min(WINDOW, end - at);
                window = slice(at, n);
                at += n;
            }
            return window;
        }

        @Override
        public int read() throws IOException {
            ByteBuffer w = current();
            try {
                return w == null ? -1 : w.get() & 0xff;
            } catch (InternalError e) {
                throw changed(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            ByteBuffer w = current();
            if (w == null) return -1;
            int n = Math.min(len, w.remaining());
            try {
                w.get(b, off, n);
            } catch (InternalError e) {
                throw changed(e);
            }
            return n;
        }

        /** A mapped file cut short by another process faults on access; the JVM reports that as an InternalError. */
        private IOException changed(InternalError e) {
            return new IOException(source + " changed while it was being read", e);
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, remaining());
        }
    }
}
