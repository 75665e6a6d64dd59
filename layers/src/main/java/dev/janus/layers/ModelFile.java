package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.io.AtomicFile;
import dev.janus.core.io.FileBytes;
import dev.janus.core.io.TensorBytes;
import dev.janus.core.optim.Optimizer;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;

/**
 * The saved-model file: data only (never Java serialization), so loading cannot run code. Layout,
 * big-endian: the magic "JANUSMDL", a version, the model's name, its layers (type and settings as
 * strings), every weight (name, dtype, shape, values), the compile settings and optimizer state
 * when compiled, then a CRC-32 of all that, so a truncated or damaged file is refused whole.
 * Written to a temporary file beside the target and renamed over it, streamed (no 2 GB limit).
 */
final class ModelFile {
    private static final byte[] MAGIC = {'J', 'A', 'N', 'U', 'S', 'M', 'D', 'L'};
    private static final int VERSION = 1;

    private ModelFile() {
    }

    static void save(Sequential model, Path path) {
        if (!model.isBuilt()) throw new JanusException("cannot save " + model.name() + ": it is not built yet");
        check(model);
        AtomicFile.write(path, out -> write(model, out), "model " + model.name());
    }

    /** The bytes {@link #save} writes. */
    static byte[] encode(Sequential model) {
        if (!model.isBuilt()) throw new JanusException("cannot save " + model.name() + ": it is not built yet");
        check(model);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(model, out);
        } catch (IOException e) {
            throw new JanusException("cannot encode model " + model.name() + ": " + e, e);
        }
        return out.toByteArray();
    }

    /** A model from the bytes of a model file; {@code source} names them in errors. */
    static Sequential decode(byte[] bytes, String source) {
        try {
            return read(FileBytes.of(bytes, source));
        } catch (IOException e) {
            throw new JanusException(source + ": cannot read the model: " + e, e);
        }
    }

    /** What a saved model could not rebuild is refused before anything is written. */
    private static void check(Sequential model) {
        for (Layer l : model.layers()) {
            if (!LayerConfigs.known(l)) {
                throw new JanusException("cannot save " + model.name() + ": layer " + l.name() + " is a " + l.typeName()
                        + ", which a saved model cannot rebuild");
            }
            Object act = l instanceof Dense ? ((Dense) l).activation() : l instanceof Activation ? ((Activation) l).function()
                    : l instanceof Conv2D ? ((Conv2D) l).activation() : null;
            if (act != null && !Activations.isRegistered((ActivationFunction) act)) {
                throw new JanusException("cannot save " + model.name() + ": layer " + l.name() + " uses activation '"
                        + ((ActivationFunction) act).name() + "', which is not registered (Activations.register)");
            }
        }
        if (model.optimizer() != null) {
            Optimizers.fromConfig(model.optimizer().name(), model.optimizer().hyperparameters());
            Losses.get(model.loss().id());
        }
    }

    /** Streams the file: the weights go out a chunk at a time, the checksum is taken on the way. */
    private static void write(Sequential model, OutputStream file) throws IOException {
        CheckedOutputStream checked = new CheckedOutputStream(file, new CRC32());
        DataOutputStream out = new DataOutputStream(checked);
        out.write(MAGIC);
        out.writeInt(VERSION);
        out.writeUTF(model.name());
        List<Layer> layers = new ArrayList<>();
        layers.add(model.input());
        layers.addAll(model.layers());
        out.writeInt(layers.size());
        for (Layer l : layers) {
            out.writeUTF(l.typeName());
            Map<String, Object> c = l.config();
            out.writeInt(c.size());
            for (Map.Entry<String, Object> e : c.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(String.valueOf(e.getValue()));
            }
        }
        List<Weight> weights = model.weights();
        out.writeInt(weights.size());
        for (Weight w : weights) writeTensor(out, w.name(), w.value());
        out.writeBoolean(model.optimizer() != null);
        if (model.optimizer() != null) {
            Optimizer opt = model.optimizer();
            out.writeUTF(opt.name());
            Map<String, Double> h = opt.hyperparameters();
            out.writeInt(h.size());
            for (Map.Entry<String, Double> e : h.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeDouble(e.getValue());
            }
            out.writeUTF(model.loss().id());
            out.writeInt(model.metricNames().size());
            for (String m : model.metricNames()) out.writeUTF(m);
            out.writeLong(model.iterations());
            Map<String, Tensor> state = model.iterations() == 0 ? Map.of() : model.optimizerState();
            out.writeInt(state.size());
            for (Map.Entry<String, Tensor> e : state.entrySet()) writeTensor(out, e.getKey(), e.getValue());
        }
        out.flush();
        new DataOutputStream(file).writeLong(checked.getChecksum().getValue());
    }

    static void writeTensor(DataOutputStream out, String name, Tensor t) throws IOException {
        out.writeUTF(name);
        out.writeUTF(t.dtype().toString());
        out.writeInt(t.rank());
        for (int d : t.shape().dims()) out.writeInt(d);
        TensorBytes.write(out, t, ByteOrder.BIG_ENDIAN);
    }

    /**
     * Loads a model file. The file is read where it lies (memory-mapped, a window at a time): the
     * checksum first, so a damaged file is refused whole; then every size it declares is checked
     * against the bytes left before anything of that size is allocated, and the layers are rebuilt
     * around the file's weights (never initialised first).
     */
    static Sequential load(Path path) {
        AtomicFile.removeStale(path);
        try (FileBytes bytes = FileBytes.open(path)) {
            return read(bytes);
        } catch (NoSuchFileException e) {
            throw new JanusException("cannot load model: no file " + path);
        } catch (IOException e) {
            throw new JanusException("cannot load model from " + path + ": " + e, e);
        }
    }

    static Sequential read(FileBytes bytes) throws IOException {
        String source = bytes.source();
        long size = bytes.size();
        byte[] magic = new byte[MAGIC.length];
        if (size >= MAGIC.length) bytes.slice(0, MAGIC.length).get(magic);
        if (size < MAGIC.length || !Arrays.equals(magic, MAGIC)) {
            throw new JanusException(source + " is not a Janus model file (it does not start with JANUSMDL)");
        }
        if (size < MAGIC.length + 12) throw new JanusException(source + ": the model file is truncated");
        if (checksum(bytes, size - 8) != bytes.slice(size - 8, 8).getLong()) {
            throw new JanusException(source + ": the model file is truncated or damaged (checksum mismatch)");
        }
        FileBytes.Stream body = bytes.stream(MAGIC.length, size - 8 - MAGIC.length);
        try {
            return decode(new DataInputStream(body), body);
        } catch (EOFException e) {
            throw new JanusException(source + ": the model file ends too early", e);
        } catch (IOException | RuntimeException e) {
            throw new JanusException(source + ": cannot read the model: " + e.getMessage(), e);
        }
    }

    private static long checksum(FileBytes bytes, long length) throws IOException {
        CRC32 crc = new CRC32();
        byte[] chunk = new byte[1 << 16];
        try (InputStream in = bytes.stream(0, length)) {
            for (int n; (n = in.read(chunk)) > 0; ) crc.update(chunk, 0, n);
        }
        return crc.getValue();
    }

    /** {@code body} is what {@code in} reads: what is left of it bounds every count and size read. */
    private static Sequential decode(DataInputStream in, FileBytes.Stream body) throws IOException {
        long size = body.remaining();
        int version = in.readInt();
        if (version != VERSION) throw new JanusException("model file version " + version + " is not supported (this reads version " + VERSION + ")");
        String name = in.readUTF();
        int layerCount = count(in, size);
        List<String> types = new ArrayList<>();
        List<Map<String, String>> configs = new ArrayList<>();
        for (int i = 0; i < layerCount; i++) {
            types.add(in.readUTF());
            int entries = count(in, size);
            Map<String, String> config = new LinkedHashMap<>();
            for (int k = 0; k < entries; k++) config.put(in.readUTF(), in.readUTF());
            configs.add(config);
        }
        int n = count(in, size);
        Map<String, Tensor> saved = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String weight = in.readUTF();
            if (saved.put(weight, readTensor(in, body.remaining())) != null) throw new JanusException("weight " + weight + " appears twice");
        }
        // Only now, with every weight read and its size checked against the file, are layers made.
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < layerCount; i++) layers.add(LayerConfigs.create(types.get(i), configs.get(i)));
        Sequential model = Sequential.rebuild(name, layers, saved);
        List<String> names = new ArrayList<>();
        for (Weight w : model.weights()) names.add(w.name());
        if (!names.equals(List.copyOf(saved.keySet()))) {
            throw new JanusException("the file's weights " + saved.keySet() + " are not those of the model it describes " + names);
        }
        if (in.readBoolean()) {
            String opt = in.readUTF();
            int h = count(in, size);
            Map<String, Double> hyper = new LinkedHashMap<>();
            for (int k = 0; k < h; k++) hyper.put(in.readUTF(), in.readDouble());
            String loss = in.readUTF();
            int m = count(in, size);
            List<String> metrics = new ArrayList<>();
            for (int k = 0; k < m; k++) metrics.add(in.readUTF());
            model.compile(Optimizers.fromConfig(opt, hyper), Losses.get(loss), metrics);
            long iterations = in.readLong();
            int s = count(in, size);
            Map<String, Tensor> state = new LinkedHashMap<>();
            for (int k = 0; k < s; k++) state.put(in.readUTF(), readTensor(in, body.remaining()));
            model.restoreOptimizerState(state, iterations);
        }
        if (body.remaining() != 0) throw new JanusException(body.remaining() + " unexpected bytes after the model");
        return model;
    }

    /** A count that cannot exceed the file's size (a damaged count must not allocate gigabytes). */
    private static int count(DataInputStream in, long size) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > size) throw new JanusException("invalid count " + n);
        return n;
    }

    /** A tensor record; its data must fit the {@code left} bytes that follow, checked before it is allocated. */
    static Tensor readTensor(DataInputStream in, long left) throws IOException {
        DType dtype = DType.parse(in.readUTF());
        int rank = count(in, 64);
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = in.readInt();
            if (dims[i] < 0 || dims[i] > left) throw new JanusException("dimension " + i + " of a tensor is " + dims[i] + ", beyond the rest of the file");
        }
        Shape shape = Shape.of(dims);
        long bytes = (long) shape.size() * dtype.bytes();
        if (bytes > left) throw new JanusException("a tensor of shape " + shape + " (" + bytes + " bytes) is larger than the rest of the file");
        return TensorBytes.read(in, dtype, shape, ByteOrder.BIG_ENDIAN);
    }
}
