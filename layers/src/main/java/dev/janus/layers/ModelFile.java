package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.io.AtomicFile;
import dev.janus.core.io.FileBytes;
import dev.janus.core.io.TensorBytes;
import dev.janus.core.optim.Optimizer;
import dev.janus.layers.losses.Loss;
import dev.janus.layers.losses.Losses;

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
 * big-endian: the magic "JANUSMDL", a version (2; version 1, a Sequential, is still read), the
 * architecture (the model's kind and name, its layers as type and settings strings, nested models
 * in place, and a Functional model's calls and outputs), every weight (path, dtype, shape, values),
 * the compile settings (per output: loss, loss weight, metrics) and optimizer state when compiled,
 * then a CRC-32 of all that, so a truncated or damaged file is refused whole.
 * Written to a temporary file beside the target and renamed over it, streamed (no 2 GB limit).
 */
final class ModelFile {
    private static final byte[] MAGIC = {'J', 'A', 'N', 'U', 'S', 'M', 'D', 'L'};
    private static final int VERSION = 2;

    private ModelFile() {
    }

    static void save(Model model, Path path) {
        check(model);
        AtomicFile.write(path, out -> write(model, out), "model " + model.name());
    }

    /** The bytes {@link #save} writes. */
    static byte[] encode(Model model) {
        check(model);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(model, out);
        } catch (IOException e) {
            throw new JanusException("cannot encode model " + model.name() + ": " + e, e);
        }
        return out.toByteArray();
    }

    /** What a saved model could not rebuild is refused before anything is written. */
    private static void check(Model model) {
        if (!model.isBuilt()) throw new JanusException("cannot save " + model.name() + ": it is not built yet");
        checkSavable(model);
        if (model.optimizer() != null) {
            Optimizers.fromConfig(model.optimizer().name(), model.optimizer().hyperparameters());
            for (Loss l : model.losses()) if (l != null) Losses.get(l.id());
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

    /** Streams the file: the weights go out a chunk at a time, the checksum is taken on the way. */
    private static void write(Model model, OutputStream file) throws IOException {
        CheckedOutputStream checked = new CheckedOutputStream(file, new CRC32());
        DataOutputStream out = new DataOutputStream(checked);
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
        out.flush();
        new DataOutputStream(file).writeLong(checked.getChecksum().getValue());
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
    static Model load(Path path) {
        AtomicFile.removeStale(path);
        try (FileBytes bytes = FileBytes.open(path)) {
            return read(bytes);
        } catch (NoSuchFileException e) {
            throw new JanusException("cannot load model: no file " + path);
        } catch (IOException e) {
            throw new JanusException("cannot load model from " + path + ": " + e, e);
        }
    }

    /** A model from the bytes of a model file; {@code source} names them in errors. */
    static Model decode(byte[] bytes, String source) {
        try {
            return read(FileBytes.of(bytes, source));
        } catch (IOException e) {
            throw new JanusException(source + ": cannot read the model: " + e, e);
        }
    }

    static Model read(FileBytes bytes) throws IOException {
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
    private static Model decode(DataInputStream in, FileBytes.Stream body) throws IOException {
        long size = body.remaining();
        int version = in.readInt();
        if (version != 1 && version != VERSION) {
            throw new JanusException("model file version " + version + " is not supported (this reads versions 1 and " + VERSION + ")");
        }
        Architecture arch = version == 1 ? Architecture.readVersion1(in, size) : Architecture.read(in, size);
        int n = count(in, size);
        Map<String, Tensor> saved = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String weight = in.readUTF();
            if (saved.put(weight, readTensor(in, body.remaining())) != null) throw new JanusException("weight " + weight + " appears twice");
        }
        // Only now, with every weight read and its size checked against the file, are layers made.
        Model model = arch.rebuild("", saved);
        List<String> names = new ArrayList<>(model.namedWeights().keySet());
        if (!names.equals(List.copyOf(saved.keySet()))) {
            throw new JanusException("the file's weights " + saved.keySet() + " are not those of the model it describes " + names);
        }
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
                List<String> metricNames = new ArrayList<>();
                for (int k = 0; k < m; k++) metricNames.add(in.readUTF());
                metrics.add(metricNames);
            }
            model.compile(Optimizers.fromConfig(opt, hyper), losses, lossWeights, metrics);
            long iterations = in.readLong();
            int s = count(in, size);
            Map<String, Tensor> state = new LinkedHashMap<>();
            for (int k = 0; k < s; k++) state.put(in.readUTF(), readTensor(in, body.remaining()));
            model.restoreOptimizerState(state, iterations);
        }
        if (body.remaining() != 0) throw new JanusException(body.remaining() + " unexpected bytes after the model");
        return model;
    }

    /**
     * A model's architecture as read from the file, before any layer exists: layers are made only
     * once every weight has been read, and then take the file's weights while they are built.
     */
    private static final class Architecture {
        final String kind, name;
        final int inputs;
        /** Per layer: its type and settings, or (type "model") the nested model in {@link #nested}. */
        final List<String> types = new ArrayList<>();
        final List<Map<String, String>> configs = new ArrayList<>();
        final List<Architecture> nested = new ArrayList<>();
        /** Per call: the layer, then its inputs as (call, output) pairs; then the outputs. */
        final List<int[]> calls = new ArrayList<>();
        final List<int[]> outputs = new ArrayList<>();

        private Architecture(String kind, String name, int inputs) {
            this.kind = kind;
            this.name = name;
            this.inputs = inputs;
        }

        /** Version 1 held a Sequential only: its name and its layers, the input first. */
        static Architecture readVersion1(DataInputStream in, long size) throws IOException {
            Architecture a = new Architecture("Sequential", in.readUTF(), 1);
            int n = count(in, size);
            for (int i = 0; i < n; i++) a.readLayer(in, size, in.readUTF());
            return a;
        }

        static Architecture read(DataInputStream in, long size) throws IOException {
            String kind = in.readUTF(), name = in.readUTF();
            if (!kind.equals("Sequential") && !kind.equals("Functional")) throw new JanusException("unknown model kind '" + kind + "'");
            int inputs = count(in, size), n = count(in, size);
            if (inputs > n) throw new JanusException(name + ": " + inputs + " inputs among " + n + " layers");
            Architecture a = new Architecture(kind, name, inputs);
            for (int i = 0; i < n; i++) {
                String type = in.readUTF();
                if (type.equals("model")) {
                    a.types.add(type);
                    a.configs.add(null);
                    a.nested.add(read(in, size));
                } else {
                    a.readLayer(in, size, type);
                }
            }
            if (kind.equals("Sequential")) return a;
            int calls = count(in, size);
            for (int c = 0; c < calls; c++) {
                int layer = in.readInt();
                if (layer < inputs || layer >= n) throw new JanusException(name + ": call " + c + " names layer " + layer);
                int k = count(in, size);
                int[] call = new int[1 + 2 * k];
                call[0] = layer;
                for (int j = 1; j < call.length; j++) call[j] = in.readInt();
                a.calls.add(call);
            }
            int outs = count(in, size);
            for (int j = 0; j < outs; j++) a.outputs.add(new int[] {in.readInt(), in.readInt()});
            return a;
        }

        private void readLayer(DataInputStream in, long size, String type) throws IOException {
            int entries = count(in, size);
            Map<String, String> config = new LinkedHashMap<>();
            for (int k = 0; k < entries; k++) config.put(in.readUTF(), in.readUTF());
            types.add(type);
            configs.add(config);
            nested.add(null);
        }

        /**
         * Makes the model, each layer taking its weights from {@code saved} (by path; {@code prefix}
         * is this model's path inside the outermost one) while it is built.
         */
        Model rebuild(String prefix, Map<String, Tensor> saved) {
            Map<String, Tensor> own = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : saved.entrySet()) {
                if (e.getKey().startsWith(prefix)) own.put(e.getKey().substring(prefix.length()), e.getValue());
            }
            List<Layer> layers = new ArrayList<>();
            for (int i = 0; i < types.size(); i++) {
                Layer l;
                if (nested.get(i) != null) {
                    l = nested.get(i).rebuild(prefix + nested.get(i).name + "/", saved);
                } else {
                    LayerConfig config = new LayerConfig(configs.get(i));
                    l = Serialization.create(types.get(i), config);
                    l.name(config.string("name"));
                    l.takeWeightsFrom(own);
                }
                if (i < inputs && !(l instanceof Input)) throw new JanusException(name + ": layer " + i + " should be an input, it is a " + types.get(i));
                layers.add(l);
            }
            if (kind.equals("Sequential")) {
                Sequential model = new Sequential().named(name);
                for (Layer l : layers) model.add(l);
                return model;
            }
            List<Input> ins = new ArrayList<>();
            for (int i = 0; i < inputs; i++) ins.add((Input) layers.get(i));
            List<List<KerasTensor>> results = new ArrayList<>();
            for (int[] call : calls) {
                KerasTensor[] args = new KerasTensor[(call.length - 1) / 2];
                for (int j = 0; j < args.length; j++) args[j] = ref(call[1 + 2 * j], call[2 + 2 * j], ins, results);
                results.add(layers.get(call[0]).applyAll(args));
            }
            List<KerasTensor> outs = new ArrayList<>();
            for (int[] o : outputs) outs.add(ref(o[0], o[1], ins, results));
            return new Model(ins, outs).named(name);
        }

        private KerasTensor ref(int call, int index, List<Input> ins, List<List<KerasTensor>> results) {
            if (call == -1 && index >= 0 && index < ins.size()) return ins.get(index);
            if (call >= 0 && call < results.size() && index >= 0 && index < results.get(call).size()) return results.get(call).get(index);
            throw new JanusException(name + ": a call refers to output " + index + " of call " + call + ", which comes later or does not exist");
        }
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
