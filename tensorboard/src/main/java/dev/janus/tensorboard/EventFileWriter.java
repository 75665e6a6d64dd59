package dev.janus.tensorboard;

import dev.janus.core.JanusException;
import dev.janus.tensorboard.proto.TensorBoardProtos.Event;
import dev.janus.tensorboard.proto.TensorBoardProtos.Summary;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

/**
 * One TensorBoard event file in a log folder, named as TensorBoard's own writer names it
 * ({@code events.out.tfevents.{seconds}.{host}.{pid}.{n}{suffix}}), holding TFRecords: the payload's
 * length (8 bytes, little endian), the masked CRC-32C of those 8 bytes, the payload (a serialized
 * {@link Event}) and its masked CRC-32C. The first event names the format ("brain.Event:2").
 *
 * <p>Events are framed whole in memory on the caller's thread; the folder and the file are created
 * and written on one shared background thread (as PyTorch's writer does), so a training step never
 * waits for the disk. Records go out whole, everything pending in one write: when {@code maxQueue} events are
 * waiting, every {@code flushInterval}, on {@link #flush()} and {@link #close()} (which return once
 * the bytes are in the file), and when the JVM shuts down. A process that dies loses at most what
 * was pending, and a record cut short by a crash mid-write is the last one, which TensorBoard's
 * reader (and {@code EventFileReader} in the tests) skips. A write that fails is reported by the
 * writer's next call.
 */
public final class EventFileWriter implements AutoCloseable {
    /** The version string of the event format TensorBoard reads. */
    public static final String FILE_VERSION = "brain.Event:2";
    private static final int MASK_DELTA = 0xa282ead8;
    private static final AtomicInteger FILES = new AtomicInteger();
    private static final Set<EventFileWriter> OPEN = ConcurrentHashMap.newKeySet();
    /** Creates, writes and closes every event file, in the order the writers asked. */
    private static final ScheduledExecutorService IO = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "janus-tensorboard-io");
        t.setDaemon(true);
        return t;
    });

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (EventFileWriter w : OPEN.toArray(new EventFileWriter[0])) w.closeQuietly();
        }, "janus-tensorboard-close"));
    }

    private final Path logDir, file;
    private final int maxQueue;
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer footer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    private final ScheduledFuture<?> timer;
    private final java.util.Map<String, byte[]> tagBytes = new java.util.HashMap<>();
    private byte[] pending = new byte[4096];
    private int pendingBytes, pendingEvents;
    private boolean closed;
    private FileChannel channel;   // the I/O thread's alone
    private volatile RuntimeException failure;

    /** A new event file in {@code logDir} (created if missing), flushed every 10 events and every 2 minutes, as PyTorch's. */
    public EventFileWriter(Path logDir) {
        this(logDir, 10, Duration.ofSeconds(120), "");
    }

    public EventFileWriter(Path logDir, int maxQueue, Duration flushInterval, String filenameSuffix) {
        if (maxQueue < 1) throw new JanusException("event file: maxQueue must be >= 1, got " + maxQueue);
        if (flushInterval.isNegative() || flushInterval.isZero()) throw new JanusException("event file: the flush interval must be positive, got " + flushInterval);
        this.maxQueue = maxQueue;
        // The folder is made on the I/O thread with the file (its syscalls cost a short fit ~50 µs);
        // a path that is a file is refused here, any other failure by the writer's next call.
        if (Files.exists(logDir) && !Files.isDirectory(logDir)) throw new JanusException("cannot create the log folder " + logDir + ": it is a file");
        this.logDir = logDir;
        String name = String.format(Locale.ROOT, "events.out.tfevents.%010d.%s.%d.%d%s", Instant.now().getEpochSecond(), Host.NAME,
                ProcessHandle.current().pid(), FILES.getAndIncrement(), filenameSuffix == null ? "" : filenameSuffix);
        file = logDir.resolve(name);
        synchronized (this) {
            add(Event.newBuilder().setWallTime(now()).setFileVersion(FILE_VERSION).build());
            submitPending();   // the file appears, with its version, as soon as the I/O thread gets to it
        }
        OPEN.add(this);
        long millis = flushInterval.toMillis();
        timer = IO.scheduleWithFixedDelay(this::submitQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** The event file. */
    public Path file() {
        return file;
    }

    /** This machine's name, as event file names carry it. */
    static String hostName() {
        return Host.NAME;
    }

    /** Seconds since the epoch, as events carry it. */
    static double now() {
        Instant t = Instant.now();
        return t.getEpochSecond() + t.getNano() / 1e9;
    }

    /** Adds one summary as an event at {@code step}, stamped {@code wallTime} (seconds since the epoch). */
    public void add(Summary summary, long step, double wallTime) {
        add(Event.newBuilder().setWallTime(wallTime).setStep(step).setSummary(summary).build());
    }

    /** Frames the event as a record and queues it; hands the queue to the I/O thread when {@code maxQueue} events wait. */
    public synchronized void add(Event event) {
        ensureOpen();
        byte[] payload = event.toByteArray();
        reserve(16 + payload.length);
        System.arraycopy(payload, 0, pending, pendingBytes + 12, payload.length);
        frame(payload.length);
    }

    /**
     * The same record as {@code add(Summaries.scalar(tag, value), step, wallTime)}, byte for byte,
     * encoded straight into the queue: scalars are what training logs most often.
     */
    public synchronized void addScalar(String tag, double value, long step, double wallTime) {
        ensureOpen();
        Summaries.checkTag(tag);
        byte[] t = tagBytes.computeIfAbsent(tag, k -> k.getBytes(StandardCharsets.UTF_8));
        int valueLength = 1 + varintSize(t.length) + t.length + 5;          // tag, simple_value
        int summaryLength = 1 + varintSize(valueLength) + valueLength;      // Summary.value
        int eventLength = 9 + (step == 0 ? 0 : 1 + varintSize(step)) + 1 + varintSize(summaryLength) + summaryLength;
        reserve(16 + eventLength);
        ByteBuffer b = ByteBuffer.wrap(pending, pendingBytes + 12, eventLength).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x09).putDouble(wallTime);                            // Event.wall_time, fixed64
        if (step != 0) putVarint(b.put((byte) 0x10), step);                // Event.step (proto3: 0 is left out)
        putVarint(b.put((byte) 0x2a), summaryLength);                      // Event.summary
        putVarint(b.put((byte) 0x0a), valueLength);                        // Summary.value
        putVarint(b.put((byte) 0x0a), t.length).put(t);                    // Value.tag
        b.put((byte) 0x15).putFloat((float) value);                        // Value.simple_value, fixed32
        frame(eventLength);
    }

    private static int varintSize(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    private static ByteBuffer putVarint(ByteBuffer b, long v) {
        while ((v & ~0x7FL) != 0) {
            b.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        return b.put((byte) v);
    }

    /** Puts the length and the checksums around the payload already at pendingBytes + 12, and queues the record. */
    private void frame(int length) {
        header.clear();
        header.putLong(length);
        header.putInt(maskedCrc(crc, header.array(), 0, 8));
        System.arraycopy(header.array(), 0, pending, pendingBytes, 12);
        footer.clear();
        footer.putInt(maskedCrc(crc, pending, pendingBytes + 12, length));
        System.arraycopy(footer.array(), 0, pending, pendingBytes + 12 + length, 4);
        pendingBytes += 16 + length;
        if (++pendingEvents >= maxQueue) submitPending();
    }

    private void reserve(int more) {
        if (pendingBytes + more > pending.length) pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingBytes + more));
    }

    /** TFRecord's checksum: CRC-32C, rotated right by 15 bits, plus a constant. */
    private static int maskedCrc(CRC32C crc, byte[] bytes, int offset, int length) {
        crc.reset();
        crc.update(bytes, offset, length);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }

    /** Hands every pending record, whole, to the I/O thread (the caller holds the lock). */
    private Future<?> submitPending() {
        byte[] chunk = Arrays.copyOf(pending, pendingBytes);
        pendingBytes = 0;
        pendingEvents = 0;
        if (pending.length > 1 << 20) pending = new byte[4096];   // give back the room a large image took
        return IO.submit(() -> write(chunk));
    }

    /**
     * Queues an event built on the I/O thread, in order with the others: for one that is costly to
     * build and reads nothing the caller changes afterwards (the callback's training graph).
     */
    synchronized void addBuiltLater(Supplier<Event> event) {
        ensureOpen();
        if (pendingBytes > 0) submitPending();
        IO.submit(() -> {
            if (failure != null) return;
            try {
                write(record(event.get().toByteArray()));
            } catch (RuntimeException e) {
                failure = new JanusException("cannot write an event to " + file + ": " + e.getMessage(), e);
            }
        });
    }

    /** One TFRecord around {@code payload}, framed apart from the queue (on the I/O thread). */
    private static byte[] record(byte[] payload) {
        CRC32C c = new CRC32C();
        ByteBuffer b = ByteBuffer.allocate(16 + payload.length).order(ByteOrder.LITTLE_ENDIAN).putLong(payload.length);
        b.putInt(maskedCrc(c, b.array(), 0, 8)).put(payload).putInt(maskedCrc(c, payload, 0, payload.length));
        return b.array();
    }

    /** On the I/O thread: creates the folder and the file on the first write, then appends. */
    private void write(byte[] chunk) {
        if (failure != null) return;
        try {
            if (channel == null) {
                try {
                    Files.createDirectories(logDir);
                } catch (IOException e) {
                    throw new IOException("cannot create the log folder " + logDir + ": " + e.getMessage(), e);
                }
                channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            }
            ByteBuffer b = ByteBuffer.wrap(chunk);
            while (b.hasRemaining()) channel.write(b);
        } catch (IOException | RuntimeException e) {
            failure = new JanusException("cannot write the event file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes every pending record to the file and returns once it is there. */
    public void flush() {
        Future<?> done;
        synchronized (this) {
            ensureOpen();
            done = submitPending();
        }
        await(done);
        if (failure != null) throw failure;
    }

    private void ensureOpen() {
        if (failure != null) throw failure;
        if (closed) throw new JanusException("the event file " + file + " is closed");
    }

    private synchronized void submitQuietly() {
        if (!closed && pendingBytes > 0) submitPending();
    }

    /** Writes what is pending and closes the file; closing twice does nothing. */
    @Override
    public void close() {
        Future<?> done;
        synchronized (this) {
            if (closed) return;
            closed = true;
            OPEN.remove(this);
            timer.cancel(false);
            submitPending();
            done = IO.submit(this::closeChannel);
        }
        await(done);
        if (failure != null) throw failure;
    }

    private void closeChannel() {
        try {
            if (channel != null) channel.close();
        } catch (IOException e) {
            if (failure == null) failure = new JanusException("cannot close the event file " + file + ": " + e.getMessage(), e);
        }
    }

    private void await(Future<?> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JanusException("interrupted while writing the event file " + file, e);
        } catch (ExecutionException e) {
            throw new JanusException("cannot write the event file " + file + ": " + e.getCause(), e.getCause());
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            // at shutdown there is nobody left to tell
        }
    }

    /** The host name TensorBoard's writers put in file names, read without a network look-up. */
    private static final class Host {
        static final String NAME = find();

        private static String find() {
            String h = System.getenv("HOSTNAME");
            if (h == null || h.isBlank()) {
                try {
                    h = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).trim();
                } catch (IOException | RuntimeException e) {
                    h = null;
                }
            }
            if (h == null || h.isBlank()) h = "localhost";
            return h.replaceAll("[^A-Za-z0-9._-]", "_");
        }
    }
}
