package dev.janus.tensorboard;

import dev.janus.tensorboard.proto.TensorBoardProtos.Event;
import dev.janus.tensorboard.proto.TensorBoardProtos.Summary;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Reads event files back for the tests, as TensorBoard's reader does: record by record, both
 * checksums checked (a mismatch is an error naming the offset), a last record cut short skipped.
 */
final class EventFileReader {
    private EventFileReader() {
    }

    static List<Event> read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> events = new ArrayList<>();
        while (b.remaining() > 0) {
            int at = b.position();
            if (b.remaining() < 12) break;   // a header cut short: the writer died mid-record
            long length = b.getLong();
            int lengthCrc = b.getInt();
            if (unmask(lengthCrc) != crc(bytes, at, 8)) throw new IllegalStateException(file + ": bad length checksum at offset " + at);
            if (b.remaining() < length + 4) break;   // a payload cut short
            int start = b.position();
            b.position(start + (int) length);
            int dataCrc = b.getInt();
            if (unmask(dataCrc) != crc(bytes, start, (int) length)) throw new IllegalStateException(file + ": bad data checksum at offset " + at);
            try {
                events.add(Event.parseFrom(ByteBuffer.wrap(bytes, start, (int) length)));
            } catch (IOException e) {
                throw new IllegalStateException(file + ": record at offset " + at + " is no Event: " + e.getMessage(), e);
            }
        }
        return events;
    }

    /** Every event of the one event file in {@code dir}. */
    static List<Event> readDir(Path dir) {
        return read(onlyFile(dir));
    }

    static Path onlyFile(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.")).toList();
            if (files.size() != 1) throw new IllegalStateException(dir + ": expected one event file, found " + files);
            return files.get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The summary values with this tag, in file order. */
    static List<Summary.Value> values(List<Event> events, String tag) {
        List<Summary.Value> out = new ArrayList<>();
        for (Event e : events) for (Summary.Value v : e.getSummary().getValueList()) if (v.getTag().equals(tag)) out.add(v);
        return out;
    }

    /** The steps of the events holding this tag. */
    static List<Long> steps(List<Event> events, String tag) {
        List<Long> out = new ArrayList<>();
        for (Event e : events) for (Summary.Value v : e.getSummary().getValueList()) if (v.getTag().equals(tag)) out.add(e.getStep());
        return out;
    }

    private static long unmask(int masked) {
        int r = masked - 0xa282ead8;
        return Integer.toUnsignedLong((r >>> 17) | (r << 15));
    }

    private static long crc(byte[] bytes, int offset, int length) {
        CRC32C c = new CRC32C();
        c.update(bytes, offset, length);
        return c.getValue();
    }
}
