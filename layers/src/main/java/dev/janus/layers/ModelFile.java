package dev.janus.layers;

import dev.janus.core.io.AtomicFile;
import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.optim.Optimizer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The saved-model file: data only (never Java serialization), so loading cannot run code. Layout,
 * big-endian: the magic "JANUSMDL", a version, the model's name, its layers (type and settings as
 * strings), every weight (name, dtype, shape, values), the compile settings and optimizer state
 * when compiled, then a CRC-32 of all that, so a truncated or damaged file is refused whole.
 * Written to a temporary file beside the target and renamed over it.
 */
final class ModelFile {
    private static final byte[] MAGIC = {'J', 'A', 'N', 'U', 'S', 'M', 'D', 'L'};
    private static final int VERSION = 1;

    private ModelFile() {
    }

    static void save(Sequential model, Path path) {
        if (!model.isBuilt()) throw new JanusException("cannot save " + model.name() + ": it is not built yet");
        AtomicFile.write(path, encode(model), "model " + model.name());
    }

    static byte[] encode(Sequential model) {
        if (!model.isBuilt()) throw new JanusException("cannot save " + model.name() + ": it is not built yet");
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
        try {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(buf);
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
            CRC32 crc = new CRC32();
            crc.update(buf.toByteArray());
            out.writeLong(crc.getValue());
            out.flush();
            return buf.toByteArray();
        } catch (IOException e) {
            throw new JanusException("cannot encode model " + model.name() + ": " + e, e);
        }
    }

    private static void writeTensor(DataOutputStream out, String name, Tensor t) throws IOException {
        out.writeUTF(name);
        out.writeUTF(t.dtype().toString());
        out.writeInt(t.rank());
        for (int d : t.shape().dims()) out.writeInt(d);
        ByteBuffer b = ByteBuffer.allocate(t.numel() * t.dtype().bytes());
        t.storage().toBytes(b);
        out.write(b.array());
    }

    static Sequential load(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new JanusException("cannot load model: no file " + path);
        } catch (IOException e) {
            throw new JanusException("cannot load model from " + path + ": " + e, e);
        }
        return decode(bytes, path.toString());
    }

    /** A model from the bytes of a model file; {@code source} names them in errors. */
    static Sequential decode(byte[] bytes, String source) {
        if (bytes.length < MAGIC.length || !java.util.Arrays.equals(java.util.Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            throw new JanusException(source + " is not a Janus model file (it does not start with JANUSMDL)");
        }
        if (bytes.length < MAGIC.length + 12) throw new JanusException(source + ": the model file is truncated");
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 8);
        if (crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - 8, 8).getLong()) {
            throw new JanusException(source + ": the model file is truncated or damaged (checksum mismatch)");
        }
        try {
            return decode(new DataInputStream(new ByteArrayInputStream(bytes, MAGIC.length, bytes.length - 8 - MAGIC.length)), bytes.length);
        } catch (EOFException e) {
            throw new JanusException(source + ": the model file ends too early", e);
        } catch (IOException | RuntimeException e) {
            throw new JanusException(source + ": cannot read the model: " + e.getMessage(), e);
        }
    }

    private static Sequential decode(DataInputStream in, int size) throws IOException {
        int version = in.readInt();
        if (version != VERSION) throw new JanusException("model file version " + version + " is not supported (this reads version " + VERSION + ")");
        Sequential model = new Sequential().named(in.readUTF());
        // Weights are overwritten below: draw their throwaway initial values from a private generator.
        Generator global = model.generator();
        model.generator(new Generator(0));
        int layers = count(in, size);
        for (int i = 0; i < layers; i++) {
            String type = in.readUTF();
            int entries = count(in, size);
            Map<String, String> config = new LinkedHashMap<>();
            for (int k = 0; k < entries; k++) config.put(in.readUTF(), in.readUTF());
            model.add(LayerConfigs.create(type, config));
        }
        model.generator(global);
        List<Weight> weights = model.weights();
        int n = count(in, size);
        if (n != weights.size()) throw new JanusException("the file has " + n + " weights, the model it describes has " + weights.size());
        List<Tensor> values = new ArrayList<>();
        for (Weight w : weights) {
            String name = in.readUTF();
            if (!name.equals(w.name())) throw new JanusException("expected weight " + w.name() + ", found " + name);
            values.add(readTensor(in, size));
        }
        model.setWeights(values);
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
            for (int k = 0; k < s; k++) state.put(in.readUTF(), readTensor(in, size));
            model.restoreOptimizerState(state, iterations);
        }
        if (in.available() != 0) throw new JanusException(in.available() + " unexpected bytes after the model");
        return model;
    }

    /** A count that cannot exceed the file's size (a damaged count must not allocate gigabytes). */
    private static int count(DataInputStream in, int size) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > size) throw new JanusException("invalid count " + n);
        return n;
    }

    private static Tensor readTensor(DataInputStream in, int size) throws IOException {
        DType dtype = DType.parse(in.readUTF());
        int rank = count(in, 64);
        int[] dims = new int[rank];
        long numel = 1;
        for (int i = 0; i < rank; i++) {
            dims[i] = count(in, size);
            numel *= dims[i];
            if (numel * dtype.bytes() > size) throw new JanusException("tensor of shape larger than the file");
        }
        byte[] raw = new byte[(int) numel * dtype.bytes()];
        in.readFully(raw);
        ByteBuffer b = ByteBuffer.wrap(raw);
        Tensor t = Tensor.empty(dtype, Shape.of(dims));
        t.storage().fromBytes(b);
        return t;
    }
}
