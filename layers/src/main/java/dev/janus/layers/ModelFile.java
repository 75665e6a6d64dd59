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
 * big-endian: the magic "JANUSMDL", a version (2; version 1, a Sequential, is still read), the
 * architecture (the model's kind and name, its layers as type and settings strings, nested models
 * in place, and a Functional model's calls and outputs), every weight (path, dtype, shape, values),
 * the compile settings (per output: loss, loss weight, metrics) and optimizer state when compiled,
 * then a CRC-32 of all that, so a truncated or damaged file is refused whole.
 * Written to a temporary file beside the target and renamed over it.
 */
final class ModelFile {
    private static final byte[] MAGIC = {'J', 'A', 'N', 'U', 'S', 'M', 'D', 'L'};
    private static final int VERSION = 2;

    private ModelFile() {
    }

    static void save(Model model, Path path) {
        if (!model.isBuilt()) throw new JanusException("cannot save " + model.name() + ": it is not built yet");
        AtomicFile.write(path, encode(model), "model " + model.name());
    }

    static byte[] encode(Model model) {
        if (!model.isBuilt()) throw new JanusException("cannot save " + model.name() + ": it is not built yet");
        checkSavable(model);
        if (model.optimizer() != null) {
            Optimizers.fromConfig(model.optimizer().name(), model.optimizer().hyperparameters());
            for (Loss l : model.losses()) if (l != null) Losses.get(l.id());
        }
        try {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(buf);
            out.write(MAGIC);
            out.writeInt(VERSION);
            writeModel(out, model);
            Map<String, Weight> weights = model.namedWeights();
            out.writeInt(weights.size());
            for (Map.Entry<String, Weight> w : weights.entrySet()) writeTensor(out, w.getKey(), w.getValue().value());
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
                out.writeInt(model.losses().size());
                for (int i = 0; i < model.losses().size(); i++) {
                    Loss l = model.losses().get(i);
                    out.writeBoolean(l != null);
                    if (l != null) out.writeUTF(l.id());
                    out.writeDouble(model.lossWeights().get(i));
                    List<String> metrics = model.allMetricNames().get(i);
                    out.writeInt(metrics.size());
                    for (String m : metrics) out.writeUTF(m);
                }
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

    /**
     * Every layer, nested models' included, must be one a saved model can rebuild: a built-in layer
     * or a registered one, whose settings rebuild it (a custom activation must be registered).
     */
    private static void checkSavable(Model model) {
        for (Layer l : model.layers()) {
            if (l instanceof Model) {
                checkSavable((Model) l);
                continue;
            }
            try {
                Serialization.create(Serialization.savedName(l), LayerConfig.of(l));
            } catch (JanusException e) {
                throw new JanusException("cannot save " + model.name() + ": layer " + l.name() + " (" + l.typeName() + "): " + e.getMessage(), e);
            }
        }
    }

    /**
     * A model's architecture: its kind and name, its layers (the inputs first; each a type and its
     * settings, or a nested model), and for a Functional model its calls (layer, then each input as
     * (call, output), call -1 for the model's input of that index) and its outputs.
     */
    private static void writeModel(DataOutputStream out, Model model) throws IOException {
        boolean sequential = model instanceof Sequential;
        out.writeUTF(sequential ? "Sequential" : "Functional");
        out.writeUTF(model.name());
        List<Layer> layers = new ArrayList<>(model.inputs());
        layers.addAll(model.layers());
        out.writeInt(model.inputs().size());
        out.writeInt(layers.size());
        for (Layer l : layers) {
            if (l instanceof Model) {
                out.writeUTF("model");
                writeModel(out, (Model) l);
                continue;
            }
            out.writeUTF(Serialization.savedName(l));
            Map<String, Object> c = l.config();
            out.writeInt(c.size());
            for (Map.Entry<String, Object> e : c.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(String.valueOf(e.getValue()));
            }
        }
        if (sequential) return;
        List<LayerCall> calls = model.calls();
        out.writeInt(calls.size());
        for (LayerCall c : calls) {
            out.writeInt(layers.indexOf(c.layer));
            out.writeInt(c.inputs.size());
            for (KerasTensor t : c.inputs) writeRef(out, model, t);
        }
        out.writeInt(model.outputs().size());
        for (KerasTensor t : model.outputs()) writeRef(out, model, t);
    }

    private static void writeRef(DataOutputStream out, Model model, KerasTensor t) throws IOException {
        if (t instanceof Input) {
            out.writeInt(-1);
            out.writeInt(model.inputs().indexOf(t));
        } else {
            LayerCall.Output o = (LayerCall.Output) t;
            out.writeInt(model.calls().indexOf(o.call));
            out.writeInt(o.index);
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

    static Model load(Path path) {
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
    static Model decode(byte[] bytes, String source) {
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

    private static Model decode(DataInputStream in, int size) throws IOException {
        int version = in.readInt();
        if (version != 1 && version != VERSION) {
            throw new JanusException("model file version " + version + " is not supported (this reads versions 1 and " + VERSION + ")");
        }
        // Weights are overwritten below: draw their throwaway initial values from a private generator.
        Generator scratch = new Generator(0);
        Model model = version == 1 ? readVersion1(in, size, scratch) : readModel(in, size, scratch);
        Map<String, Weight> weights = model.namedWeights();
        int n = count(in, size);
        if (n != weights.size()) throw new JanusException("the file has " + n + " weights, the model it describes has " + weights.size());
        List<Tensor> values = new ArrayList<>();
        for (String path : weights.keySet()) {
            String name = in.readUTF();
            if (!name.equals(path)) throw new JanusException("expected weight " + path + ", found " + name);
            values.add(readTensor(in, size));
        }
        model.setWeights(values);
        if (in.readBoolean()) {
            String opt = in.readUTF();
            int h = count(in, size);
            Map<String, Double> hyper = new LinkedHashMap<>();
            for (int k = 0; k < h; k++) hyper.put(in.readUTF(), in.readDouble());
            List<Loss> losses = new ArrayList<>();
            List<Double> lossWeights = new ArrayList<>();
            List<List<String>> metrics = new ArrayList<>();
            int outputs = version == 1 ? 1 : count(in, size);
            for (int i = 0; i < outputs; i++) {
                boolean present = version == 1 || in.readBoolean();
                losses.add(present ? Losses.get(in.readUTF()) : null);
                lossWeights.add(version == 1 ? 1.0 : in.readDouble());
                int m = count(in, size);
                List<String> names = new ArrayList<>();
                for (int k = 0; k < m; k++) names.add(in.readUTF());
                metrics.add(names);
            }
            model.compile(Optimizers.fromConfig(opt, hyper), losses, lossWeights, metrics);
            long iterations = in.readLong();
            int s = count(in, size);
            Map<String, Tensor> state = new LinkedHashMap<>();
            for (int k = 0; k < s; k++) state.put(in.readUTF(), readTensor(in, size));
            model.restoreOptimizerState(state, iterations);
        }
        if (in.available() != 0) throw new JanusException(in.available() + " unexpected bytes after the model");
        return model;
    }

    /** Version 1 held a Sequential only: its name and its layers. */
    private static Model readVersion1(DataInputStream in, int size, Generator scratch) throws IOException {
        Sequential model = new Sequential().named(in.readUTF());
        Generator global = model.generator();
        model.generator(scratch);
        int layers = count(in, size);
        for (int i = 0; i < layers; i++) model.add(readLayer(in, size, in.readUTF()));
        model.generator(global);
        return model;
    }

    private static Layer readLayer(DataInputStream in, int size, String type) throws IOException {
        int entries = count(in, size);
        Map<String, String> config = new LinkedHashMap<>();
        for (int k = 0; k < entries; k++) config.put(in.readUTF(), in.readUTF());
        Layer l = Serialization.create(type, new LayerConfig(config));
        l.name(new LayerConfig(config).string("name"));
        return l;
    }

    private static Model readModel(DataInputStream in, int size, Generator scratch) throws IOException {
        String kind = in.readUTF(), name = in.readUTF();
        int inputs = count(in, size), n = count(in, size);
        if (inputs > n) throw new JanusException(name + ": " + inputs + " inputs among " + n + " layers");
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String type = in.readUTF();
            Layer l = type.equals("model") ? readModel(in, size, scratch) : readLayer(in, size, type);
            if (i < inputs && !(l instanceof Input)) throw new JanusException(name + ": layer " + i + " should be an input, it is a " + type);
            layers.add(l);
        }
        if (kind.equals("Sequential")) {
            Sequential model = new Sequential().named(name);
            Generator global = model.generator();
            model.generator(scratch);
            for (Layer l : layers) model.add(l);
            model.generator(global);
            return model;
        }
        if (!kind.equals("Functional")) throw new JanusException("unknown model kind '" + kind + "'");
        List<Input> ins = new ArrayList<>();
        for (int i = 0; i < inputs; i++) ins.add((Input) layers.get(i));
        List<List<KerasTensor>> results = new ArrayList<>();
        int calls = count(in, size);
        for (int c = 0; c < calls; c++) {
            int layer = in.readInt();
            if (layer < inputs || layer >= n) throw new JanusException(name + ": call " + c + " names layer " + layer);
            int k = count(in, size);
            KerasTensor[] args = new KerasTensor[k];
            for (int j = 0; j < k; j++) args[j] = readRef(in, ins, results, name);
            results.add(layers.get(layer).applyAll(scratch, args));
        }
        int outs = count(in, size);
        List<KerasTensor> outputs = new ArrayList<>();
        for (int j = 0; j < outs; j++) outputs.add(readRef(in, ins, results, name));
        return new Model(ins, outputs).named(name);
    }

    private static KerasTensor readRef(DataInputStream in, List<Input> ins, List<List<KerasTensor>> results, String model) throws IOException {
        int call = in.readInt(), index = in.readInt();
        if (call == -1 && index >= 0 && index < ins.size()) return ins.get(index);
        if (call >= 0 && call < results.size() && index >= 0 && index < results.get(call).size()) return results.get(call).get(index);
        throw new JanusException(model + ": a call refers to output " + index + " of call " + call + ", which comes later or does not exist");
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
