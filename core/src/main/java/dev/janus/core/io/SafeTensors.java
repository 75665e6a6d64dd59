package dev.janus.core.io;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named tensors in the safetensors format (as Hugging Face defines it): an 8-byte little-endian
 * header length, a JSON header naming each tensor's dtype, shape and byte range, then the raw
 * little-endian data. Loading parses data and nothing else, so a file can never run code (unlike
 * Java serialization or Python's pickle), and PyTorch reads the same files with the safetensors
 * package. Saving writes a temporary file beside the target and renames it, so a crash leaves the
 * old file or the new one, never half of one. A truncated or foreign file is an error that says so.
 */
public final class SafeTensors {
    /** Headers larger than this are taken as a sign of a foreign file, as the reference reader does. */
    private static final long MAX_HEADER = 100_000_000;

    private SafeTensors() {
    }

    public static void save(Path file, Map<String, Tensor> tensors) {
        save(file, tensors, Map.of());
    }

    /** Writes the tensors in the map's order, with optional string metadata. */
    public static void save(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        AtomicFile.write(file, out -> writeTo(out, tensors, metadata), "tensors");
    }

    /** The bytes of a safetensors file holding these tensors, in the map's order (to send or store elsewhere). */
    public static byte[] encode(Map<String, Tensor> tensors, Map<String, String> metadata) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeTo(out, tensors, metadata);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeTo(OutputStream out, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        StringBuilder json = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            json.append(quote("__metadata__")).append(":{");
            int i = 0;
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                json.append(i++ > 0 ? "," : "").append(quote(m.getKey())).append(':').append(quote(m.getValue()));
            }
            json.append('}');
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name.isEmpty() || name.equals("__metadata__")) throw new JanusException("safetensors: invalid tensor name '" + name + "'");
            Tensor t = e.getValue();
            long end = offset + (long) t.numel() * t.dtype().bytes();
            json.append(json.length() > 1 ? "," : "").append(quote(name)).append(":{\"dtype\":\"").append(code(t.dtype()))
                    .append("\",\"shape\":[");
            for (int d = 0; d < t.rank(); d++) json.append(d > 0 ? "," : "").append(t.shape().dim(d));
            json.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        byte[] text = json.append('}').toString().getBytes(StandardCharsets.UTF_8);
        // Spaces pad the header so the data starts 8-byte aligned, as the reference writer does.
        byte[] header = Arrays.copyOf(text, (text.length + 7) & ~7);
        Arrays.fill(header, text.length, header.length, (byte) ' ');
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
        out.write(header);
        for (Tensor t : tensors.values()) TensorBytes.write(out, t, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Reads every tensor, in the order of their data in the file. The header is checked against the
     * file's size before any tensor is allocated; the data is read where it lies (memory-mapped), so
     * files larger than 2 GB load too, one tensor of up to 2^31 elements at a time.
     */
    public static Map<String, Tensor> load(Path file) {
        AtomicFile.removeStale(file);
        try (FileBytes bytes = FileBytes.open(file)) {
            return read(bytes);
        } catch (NoSuchFileException e) {
            throw new JanusException("cannot load tensors: " + file + " does not exist", e);
        } catch (IOException e) {
            throw new JanusException("cannot load tensors from " + file + ": " + e, e);
        }
    }

    /** The tensors of a safetensors file's bytes; {@code source} names them in errors. */
    public static Map<String, Tensor> decode(byte[] bytes, String source) {
        try {
            return read(FileBytes.of(bytes, source));
        } catch (IOException e) {
            throw new JanusException("cannot read " + source + ": " + e, e);
        }
    }

    /** The file's string metadata ("__metadata__"), empty when it has none. */
    public static Map<String, String> metadata(Path file) {
        Map<?, ?> header;
        try (FileBytes bytes = FileBytes.open(file)) {
            header = header(bytes);
        } catch (NoSuchFileException e) {
            throw new JanusException("cannot read tensors: " + file + " does not exist", e);
        } catch (IOException e) {
            throw new JanusException("cannot read tensors from " + file + ": " + e, e);
        }
        Object m = header.get("__metadata__");
        Map<String, String> out = new LinkedHashMap<>();
        if (m == null) return out;
        if (!(m instanceof Map)) throw new JanusException(file + " is corrupt: its __metadata__ is not a JSON object");
        for (Map.Entry<?, ?> e : ((Map<?, ?>) m).entrySet()) {
            if (!(e.getValue() instanceof String)) throw new JanusException(file + " is corrupt: metadata '" + e.getKey() + "' is not a string");
            out.put((String) e.getKey(), (String) e.getValue());
        }
        return out;
    }

    /** The header of a safetensors file as a JSON object, after checking its length against the file's size. */
    private static Map<?, ?> header(FileBytes bytes) throws IOException {
        String source = bytes.source();
        long size = bytes.size();
        if (size < 8) throw new JanusException(source + " is not a safetensors file: it has only " + size + " bytes");
        long headerLen = headerLength(bytes);
        if (headerLen < 2 || headerLen > MAX_HEADER) {
            throw new JanusException(source + " is not a safetensors file: it does not start with a safetensors header");
        }
        if (headerLen > size - 8) {
            throw new JanusException(source + " is truncated: its header declares " + headerLen + " bytes, but only "
                    + (size - 8) + " bytes follow the length");
        }
        byte[] text = new byte[(int) headerLen];
        bytes.slice(8, text.length).get(text);
        if (text[0] != '{') throw new JanusException(source + " is not a safetensors file: it does not start with a safetensors header");
        Object parsed;
        try {
            parsed = Json.parse(new String(text, StandardCharsets.UTF_8));
        } catch (JanusException e) {
            throw new JanusException(source + " is not a safetensors file: its header is not valid JSON (" + e.getMessage() + ")");
        }
        if (!(parsed instanceof Map)) throw new JanusException(source + " is not a safetensors file: its header is not a JSON object");
        return (Map<?, ?>) parsed;
    }

    private static long headerLength(FileBytes bytes) throws IOException {
        return bytes.slice(0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static Map<String, Tensor> read(FileBytes bytes) throws IOException {
        String source = bytes.source();
        Map<?, ?> parsed = header(bytes);
        long dataStart = 8 + headerLength(bytes), dataLen = bytes.size() - dataStart;
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<?, ?> e : parsed.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) continue;
            entries.add(Entry.of(name, e.getValue(), source));
        }
        entries.sort((x, y) -> Long.compare(x.begin, y.begin));
        long expect = 0;
        for (Entry en : entries) {
            if (en.begin != expect) {
                throw new JanusException(source + " is corrupt: tensor '" + en.name + "' starts at byte " + en.begin
                        + " of the data, expected " + expect + " (tensors must follow each other without gaps or overlaps)");
            }
            expect = en.end;
        }
        if (expect > dataLen) {
            throw new JanusException(source + " is truncated: its tensors need " + expect + " bytes of data, but the file has only " + dataLen);
        }
        if (expect < dataLen) {
            throw new JanusException(source + " is corrupt: " + (dataLen - expect) + " bytes after the last tensor belong to none");
        }
        // Every size is now known to fit the file: the tensors follow each other, in one pass.
        Map<String, Tensor> out = new LinkedHashMap<>();
        InputStream data = bytes.stream(dataStart, dataLen);
        for (Entry en : entries) out.put(en.name, TensorBytes.read(data, en.dtype, en.shape, ByteOrder.LITTLE_ENDIAN));
        return out;
    }

    // safetensors' dtype codes, in DType order.
    private static final String[] CODES = {"F32", "F64", "I64", "BOOL", "I8", "U8", "I16", "U16", "I32", "U32", "U64", "F16", "BF16"};

    private static String code(DType t) {
        return CODES[t.ordinal()];
    }

    private static DType dtype(String code) {
        for (int i = 0; i < CODES.length; i++) if (CODES[i].equals(code)) return DType.values()[i];
        return null;
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString();
    }

    /** One tensor's header entry, checked. */
    private static final class Entry {
        final String name;
        final DType dtype;
        final Shape shape;
        final long begin, end;

        private Entry(String name, DType dtype, Shape shape, long begin, long end) {
            this.name = name;
            this.dtype = dtype;
            this.shape = shape;
            this.begin = begin;
            this.end = end;
        }

        static Entry of(String name, Object value, String source) {
            String where = source + ": tensor '" + name + "'";
            if (!(value instanceof Map)) throw new JanusException(where + " is not described by a JSON object");
            Map<?, ?> m = (Map<?, ?>) value;
            Object code = m.get("dtype"), shape = m.get("shape"), offsets = m.get("data_offsets");
            if (!(code instanceof String) || !(shape instanceof List) || !(offsets instanceof List) || ((List<?>) offsets).size() != 2) {
                throw new JanusException(where + " needs \"dtype\", \"shape\" and \"data_offsets\" [begin, end], got " + m.keySet());
            }
            DType dt = dtype((String) code);
            if (dt == null) throw new JanusException(where + " has dtype " + code + ", which Janus does not read (it reads "
                    + String.join(", ", java.util.Arrays.asList(CODES).subList(0, CODES.length - 1)) + " and " + CODES[CODES.length - 1] + ")");
            List<?> dims = (List<?>) shape;
            int[] d = new int[dims.size()];
            for (int i = 0; i < d.length; i++) {
                if (!(dims.get(i) instanceof Long) || (Long) dims.get(i) < 0 || (Long) dims.get(i) > Integer.MAX_VALUE) {
                    throw new JanusException(where + " has an invalid shape " + dims);
                }
                d[i] = (int) (long) (Long) dims.get(i);
            }
            Shape s = Shape.of(d);
            long count;
            try {
                count = s.size();
            } catch (ShapeException e) {
                throw new JanusException(where + " has shape " + s + ", more elements than a tensor holds");
            }
            List<?> o = (List<?>) offsets;
            if (!(o.get(0) instanceof Long) || !(o.get(1) instanceof Long)) throw new JanusException(where + " has invalid data_offsets " + o);
            long begin = (Long) o.get(0), end = (Long) o.get(1);
            if (begin < 0 || end - begin != count * dt.bytes()) {
                throw new JanusException(where + ": data_offsets " + o + " do not hold " + count + " " + dt + " values ("
                        + count * dt.bytes() + " bytes)");
            }
            return new Entry(name, dt, s, begin, end);
        }
    }
}
