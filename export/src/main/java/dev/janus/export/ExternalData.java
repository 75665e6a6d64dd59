package dev.janus.export;

import com.google.protobuf.ByteString;
import dev.janus.core.io.AtomicFile;
import dev.janus.core.onnx.OnnxException;
import dev.janus.export.proto.Onnx.GraphProto;
import dev.janus.export.proto.Onnx.ModelProto;
import dev.janus.export.proto.Onnx.StringStringEntryProto;
import dev.janus.export.proto.Onnx.TensorProto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Tensors kept outside the model file, as ONNX stores them ({@code data_location = EXTERNAL} and
 * the keys location, offset and length): PyTorch's exporter writes the weights this way, and a model
 * over 2 GB can be written no other way. A location is a path relative to the model's folder that
 * must stay inside it: absolute paths, {@code ..} and symbolic links leading out are refused.
 */
final class ExternalData {
    /** Initializers of at least this many bytes go to the data file (onnx's own size_threshold). */
    static final int THRESHOLD = 1024;
    /** Larger ranges are memory-mapped rather than read into the heap first. */
    private static final long MAP_FROM = 1 << 20;

    private ExternalData() {
    }

    /**
     * The {@code expected} bytes of an external tensor, little-endian, read (or mapped) from its file
     * under {@code baseDir}; {@code what} names the tensor in errors.
     */
    static ByteBuffer read(TensorProto p, Path baseDir, long expected, String what) {
        String location = null;
        long offset = 0, length = -1;
        for (StringStringEntryProto e : p.getExternalDataList()) {
            switch (e.getKey()) {
                case "location": location = e.getValue(); break;
                case "offset": offset = number(e.getValue(), "offset", what); break;
                case "length": length = number(e.getValue(), "length", what); break;
                case "checksum": break;   // optional and informative; the length is checked
                default: throw new OnnxException(what + ": external data key '" + e.getKey() + "' is not supported (location, offset, length, checksum)");
            }
        }
        if (location == null || location.isEmpty()) throw new OnnxException(what + ": external data without a location");
        if (baseDir == null) {
            throw new OnnxException(what + ": the tensor is stored in the external file '" + location + "', but the model was read from"
                    + " bytes; load it from its file (OnnxImporter.load) so its folder is known");
        }
        Path file = resolve(baseDir, location, what);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (length < 0) length = size - offset;
            if (offset > size || length > size - offset) {
                throw new OnnxException(what + ": external data at offset " + offset + ", length " + length + " lies beyond the end of '"
                        + location + "' (" + size + " bytes)");
            }
            if (length != expected) {
                throw new OnnxException(what + ": external data in '" + location + "' has " + length + " bytes, the tensor's type and shape need " + expected);
            }
            ByteBuffer buf;
            if (length >= MAP_FROM) {
                buf = ch.map(FileChannel.MapMode.READ_ONLY, offset, length);
            } else {
                buf = ByteBuffer.allocate((int) length);
                while (buf.hasRemaining()) {
                    if (ch.read(buf, offset + buf.position()) < 0) throw new OnnxException(what + ": '" + location + "' ended early");
                }
                buf.flip();
            }
            return buf.order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new OnnxException(what + ": cannot read external data '" + location + "': " + e, e);
        }
    }

    private static long number(String s, String key, String what) {
        try {
            long v = Long.parseLong(s.trim());
            if (v >= 0) return v;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new OnnxException(what + ": external data " + key + " '" + s + "' is not a non-negative integer");
    }

    /** The file a location names, which must be a regular file inside {@code baseDir}, links followed. */
    static Path resolve(Path baseDir, String location, String what) {
        String refused = null;
        if (location.indexOf('\0') >= 0) refused = "holds a NUL character";
        else if (location.startsWith("/") || location.startsWith("\\") || location.matches("^[A-Za-z]:.*")) refused = "is an absolute path";
        else if (List.of(location.split("[/\\\\]")).contains("..")) refused = "contains '..'";
        if (refused != null) {
            throw new OnnxException(what + ": the external data location '" + location + "' " + refused
                    + "; it must be a path inside the model's folder " + baseDir);
        }
        Path base = baseDir.toAbsolutePath().normalize(), file = base.resolve(location).normalize();
        if (!file.startsWith(base)) throw new OnnxException(what + ": the external data location '" + location + "' leaves the model's folder " + baseDir);
        if (!Files.isRegularFile(file)) throw new OnnxException(what + ": the external data file '" + location + "' does not exist in " + baseDir);
        try {
            Path realBase = base.toRealPath(), real = file.toRealPath();
            if (!real.startsWith(realBase)) {
                throw new OnnxException(what + ": the external data location '" + location + "' is a link to " + real
                        + ", outside the model's folder " + baseDir);
            }
            if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) throw new OnnxException(what + ": '" + location + "' is not a regular file");
            return real;
        } catch (IOException e) {
            throw new OnnxException(what + ": cannot resolve the external data location '" + location + "': " + e, e);
        }
    }

    /**
     * Writes {@code model} to {@code path} with every initializer of at least {@link #THRESHOLD}
     * bytes moved to the file {@code path}.data beside it (one after another, as onnx's
     * save_model with all_tensors_to_one_file does). Both files go through temporary files; the
     * data is written first, so the model never names data that is not there.
     */
    static void save(ModelProto model, Path path) {
        String location = path.getFileName() + ".data";
        Path dataPath = path.resolveSibling(location);
        List<ByteString> moved = new ArrayList<>();
        GraphProto.Builder g = model.getGraph().toBuilder();
        long offset = 0;
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            if (!t.hasRawData() || t.getRawData().size() < THRESHOLD) continue;
            ByteString raw = t.getRawData();
            moved.add(raw);
            g.setInitializer(i, t.toBuilder().clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                    .addExternalData(entry("location", location)).addExternalData(entry("offset", Long.toString(offset)))
                    .addExternalData(entry("length", Integer.toString(raw.size()))).build());
            offset += raw.size();
        }
        AtomicFile.write(dataPath, out -> {
            for (ByteString raw : moved) raw.writeTo(out);
        }, "ONNX external data");
        AtomicFile.write(path, model.toBuilder().setGraph(g).build().toByteArray(), "ONNX model");
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }
}
