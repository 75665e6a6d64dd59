package dev.janus.tensorboard;

import dev.janus.core.JanusException;
import dev.janus.tensorboard.proto.TensorBoardProtos.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventFileWriterTest {
    @TempDir
    Path dir;

    /**
     * The record of Event(wall_time=1234.5, step=7, summary {value {tag: "loss" simple_value: 0.25}})
     * as TensorBoard's own RecordWriter frames it (event_pb2 and record_writer.py of tensorboard
     * 2.21.0, printed once in Python): the bytes must be the same.
     */
    private static final String TENSORBOARD_RECORD = "1a00000000000000129bd82d0900000000004a934010072a0d0a0b0a046c6f7373150000803eadb7cdb0";

    @Test
    void framesRecordsByteForByteAsTensorBoard() throws IOException {
        Path file;
        try (EventFileWriter w = new EventFileWriter(dir)) {
            file = w.file();
            w.add(Summaries.scalar("loss", 0.25), 7, 1234.5);
        }
        byte[] all = Files.readAllBytes(file);
        byte[] want = HexFormat.of().parseHex(TENSORBOARD_RECORD);
        assertArrayEquals(want, Arrays.copyOfRange(all, all.length - want.length, all.length));
    }

    @Test
    void scalarsEncodedStraightAreTheProtobufRecordsByteForByte() throws IOException {
        Path a, b;
        long[] steps = {0, 7, 127, 128, 300, 1L << 40, -1};
        String[] tags = {"loss", "epoch_accuracy", "t".repeat(200), "größe/ü"};
        try (EventFileWriter w = new EventFileWriter(dir.resolve("a")); EventFileWriter p = new EventFileWriter(dir.resolve("b"))) {
            a = w.file();
            b = p.file();
            for (long step : steps) {
                for (String tag : tags) {
                    w.addScalar(tag, step * 0.5 - 3, step, 1234.5 + step);
                    p.add(Summaries.scalar(tag, step * 0.5 - 3), step, 1234.5 + step);
                }
            }
            w.addScalar("loss", 0.25, 7, 1234.5);
        }
        byte[] fast = Files.readAllBytes(a), proto = Files.readAllBytes(b);
        int header = recordLength(proto, 0);
        assertArrayEquals(Arrays.copyOfRange(proto, header, proto.length), Arrays.copyOfRange(fast, header, proto.length));
        byte[] want = HexFormat.of().parseHex(TENSORBOARD_RECORD);
        assertArrayEquals(want, Arrays.copyOfRange(fast, fast.length - want.length, fast.length));
    }

    private static int recordLength(byte[] bytes, int at) {
        return (int) java.nio.ByteBuffer.wrap(bytes, at, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong() + 16;
    }

    @Test
    void namesTheFileAsTensorBoardAndStartsWithTheVersion() {
        try (EventFileWriter w = new EventFileWriter(dir.resolve("run"), 10, Duration.ofSeconds(60), ".v2")) {
            String name = w.file().getFileName().toString();
            assertTrue(name.matches("events\\.out\\.tfevents\\.\\d{10}\\.[A-Za-z0-9._-]+\\.\\d+\\.\\d+\\.v2"), name);
            assertEquals(dir.resolve("run"), w.file().getParent());
            w.flush();
            List<Event> events = EventFileReader.read(w.file());
            assertEquals(1, events.size());
            assertEquals("brain.Event:2", events.get(0).getFileVersion());
            assertTrue(Math.abs(events.get(0).getWallTime() - System.currentTimeMillis() / 1000.0) < 60);
        }
    }

    @Test
    void writesOnlyWholeRecordsWhenTheQueueFillsOnFlushAndOnClose() throws Exception {
        try (EventFileWriter w = new EventFileWriter(dir, 4, Duration.ofSeconds(60), "")) {
            w.flush();
            long header = Files.size(w.file());
            for (int i = 0; i < 3; i++) w.add(Summaries.scalar("x", i), i, 1.0);
            Thread.sleep(50);
            assertEquals(header, Files.size(w.file()), "three events wait in memory");
            w.add(Summaries.scalar("x", 3), 3, 1.0);
            assertEquals(5, eventually(w.file(), 5), "the fourth fills the queue: the I/O thread writes them");
            long size = Files.size(w.file());
            w.add(Summaries.scalar("x", 4), 4, 1.0);
            assertEquals(size, Files.size(w.file()));
            w.flush();
            assertEquals(6, EventFileReader.read(w.file()).size());
            w.add(Summaries.scalar("x", 5), 5, 1.0);
            w.close();
            List<Event> events = EventFileReader.read(w.file());
            assertEquals(7, events.size());
            for (int i = 0; i < 6; i++) {
                assertEquals(i, events.get(i + 1).getStep());
                assertEquals(i, events.get(i + 1).getSummary().getValue(0).getSimpleValue());
            }
            w.close();   // twice: nothing happens
            assertThrows(JanusException.class, () -> w.add(Summaries.scalar("x", 9), 9, 1.0));
        }
    }

    @Test
    void flushesOnItsTimer() throws Exception {
        try (EventFileWriter w = new EventFileWriter(dir, 1000, Duration.ofMillis(50), "")) {
            w.add(Summaries.scalar("x", 1), 1, 1.0);
            assertEquals(2, eventually(w.file(), 2));
        }
    }

    /** The events in the file once it holds {@code n} of them, or after 10 s. */
    private static int eventually(Path file, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Files.exists(file) && EventFileReader.read(file).size() >= n) break;
            Thread.sleep(5);
        }
        return EventFileReader.read(file).size();
    }

    @Test
    void aReaderSkipsATruncatedLastRecordAndRefusesADamagedOne() throws IOException {
        Path file;
        try (EventFileWriter w = new EventFileWriter(dir)) {
            file = w.file();
            for (int i = 0; i < 5; i++) w.add(Summaries.scalar("loss", i), i, 1.0);
        }
        byte[] all = Files.readAllBytes(file);
        int last = all.length - recordLength(all);
        for (int cut : new int[] {1, 8, 12, 13, all.length - last - 1}) {
            Path truncated = dir.resolve("cut" + cut);
            Files.write(truncated, Arrays.copyOf(all, last + cut));
            List<Event> events = EventFileReader.read(truncated);
            assertEquals(5, events.size(), "cut " + cut + " bytes into the last record");
            assertEquals(3, events.get(4).getStep());
        }
        byte[] damaged = all.clone();
        damaged[last + 14] ^= 1;
        Path bad = dir.resolve("bad");
        Files.write(bad, damaged);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> EventFileReader.read(bad));
        assertTrue(e.getMessage().contains("bad data checksum at offset " + last), e.getMessage());
    }

    /** The length of the last record of a file of records all as long as it (the test's events are). */
    private static int recordLength(byte[] all) {
        int pos = 0, len = 0;
        while (pos < all.length) {
            long n = java.nio.ByteBuffer.wrap(all, pos, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
            len = (int) n + 16;
            pos += len;
        }
        return len;
    }

    @Test
    void badSettingsAreClearErrors() {
        assertThrows(JanusException.class, () -> new EventFileWriter(dir, 0, Duration.ofSeconds(1), ""));
        assertThrows(JanusException.class, () -> new EventFileWriter(dir, 1, Duration.ZERO, ""));
        Path notAFolder = dir.resolve("file");
        try {
            Files.writeString(notAFolder, "x");
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
        JanusException e = assertThrows(JanusException.class, () -> new EventFileWriter(notAFolder));
        assertTrue(e.getMessage().contains(notAFolder.toString()), e.getMessage());
    }
    @Test
    void anEventBuiltOnTheIoThreadKeepsItsPlace() {
        EventFileWriter w = new EventFileWriter(dir.resolve("later"));
        w.add(Summaries.scalar("x", 1), 1, 1.0);
        w.addBuiltLater(() -> Event.newBuilder().setWallTime(2.0).setStep(2).setSummary(Summaries.scalar("x", 2)).build());
        w.addScalar("x", 3, 3, 3.0);
        w.close();
        List<Event> events = EventFileReader.read(w.file());
        assertEquals(List.of(0L, 1L, 2L, 3L), events.stream().map(Event::getStep).toList());
        assertEquals(2f, events.get(2).getSummary().getValue(0).getSimpleValue());

        EventFileWriter failing = new EventFileWriter(dir.resolve("failing"));
        failing.addBuiltLater(() -> {
            throw new IllegalStateException("no graph");
        });
        JanusException e = assertThrows(JanusException.class, failing::flush);
        assertTrue(e.getMessage().contains("no graph") && e.getMessage().contains(failing.file().toString()), e.getMessage());
    }

    /** The folder is made on the I/O thread: a folder that cannot be made is reported by the next call, naming it. */
    @Test
    void aFolderThatCannotBeMadeIsReportedByTheNextCall() throws IOException {
        Files.writeString(dir.resolve("file"), "x");
        Path below = dir.resolve("file").resolve("logs");
        EventFileWriter w = new EventFileWriter(below);
        JanusException e = assertThrows(JanusException.class, w::flush);
        assertTrue(e.getMessage().contains("cannot create the log folder " + below), e.getMessage());
    }
}
