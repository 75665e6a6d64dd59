package dev.janus.eager.nn;

import dev.janus.core.Device;
import dev.janus.core.JanusException;
import dev.janus.core.ShapeException;
import dev.janus.core.backend.StorageKind;
import dev.janus.core.Tensor;
import dev.janus.core.quant.FakeQuantization;
import dev.janus.eager.EagerEmitter;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A piece of a model, as PyTorch's {@code nn.Module} (named {@code NNModule} in Java, apart from
 * {@code java.lang.Module}): it owns named parameters and named child
 * modules, and {@link #forward} computes with them in plain Java. As PyTorch's attribute
 * assignment does, the fields that hold a module or a {@link Parameter} register themselves under
 * the field's name, in the order the fields are declared (a superclass's first), so
 * {@link #namedParameters()} names them as PyTorch names the same model:
 *
 * <pre>{@code
 * class Net extends NNModule {
 *     final Linear fc1 = new Linear(4, 64);
 *     final Linear fc2 = new Linear(64, 3);
 *     public Tensor forward(Tensor x) { return fc2.forward(F.relu(fc1.forward(x))); }
 * }
 * }</pre>
 *
 * <p>The fields are read the first time the module's parameters, buffers, children, mode or
 * printing are asked for, and again each time (a field set later joins then, at the end).
 * {@link #registerModule}, {@link #registerParameter} and {@link #registerBuffer} still register
 * explicitly: for modules made in a loop, buffers, and tensors that are not {@code Parameter}s.
 * Other fields (lists of modules, plain tensors, numbers) are not registered, as in PyTorch.
 */
public abstract class NNModule {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, NNModule> children = new LinkedHashMap<>();
    private boolean training = true, quantizationAware;
    private boolean fieldsRead;
    private static final EagerEmitter QUANTIZE = new EagerEmitter();

    /** Per class: the fields that may hold a module or a Parameter, a superclass's first, in declaration order. */
    private static final ClassValue<List<Field>> FIELDS = new ClassValue<>() {
        @Override
        protected List<Field> computeValue(Class<?> type) {
            List<Class<?>> chain = new ArrayList<>();
            for (Class<?> k = type; k != null && k != NNModule.class; k = k.getSuperclass()) chain.add(0, k);
            List<Field> out = new ArrayList<>();
            for (Class<?> k : chain) {
                for (Field f : k.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers()) || f.isSynthetic()) continue;
                    Class<?> t = f.getType();
                    if (!NNModule.class.isAssignableFrom(t) && !t.isAssignableFrom(Parameter.class)) continue;
                    if (t == Object.class) continue;
                    try {
                        f.setAccessible(true);
                    } catch (RuntimeException e) {
                        throw new JanusException(type.getName() + ": cannot read field '" + f.getName() + "' to register it ("
                                + e.getMessage() + "); open the package to dev.janus.eager, or register it with registerModule or registerParameter");
                    }
                    out.add(f);
                }
            }
            return out;
        }
    };

    /**
     * The computation, as PyTorch's {@code forward}: a module of one input overrides this one, a
     * module of several overrides {@link #forward(Tensor...)}.
     */
    public Tensor forward(Tensor input) {
        if (overrides(Tensor[].class)) return forward(new Tensor[] {input});
        throw new JanusException(kind() + ": forward is not implemented (override forward(Tensor), or forward(Tensor...) for several inputs)");
    }

    /** Several inputs, as PyTorch's {@code forward(a, b)}; by default a module takes one. */
    public Tensor forward(Tensor... inputs) {
        if (inputs.length == 1 && overrides(Tensor.class)) return forward(inputs[0]);
        if (overrides(Tensor.class)) throw new JanusException(kind() + " takes one input, got " + inputs.length);
        throw new JanusException(kind() + ": forward is not implemented (override forward(Tensor), or forward(Tensor...) for several inputs)");
    }

    /** Whether this module's class overrides forward for that parameter type. */
    private boolean overrides(Class<?> parameter) {
        try {
            return getClass().getMethod("forward", parameter).getDeclaringClass() != NNModule.class;
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
    }

    /** Registers a parameter: a leaf tensor, which from now on requires grad. Returns it. */
    protected final Tensor registerParameter(String name, Tensor value) {
        checkName(name);
        if (!value.isLeaf()) throw new JanusException(kind() + ": parameter '" + name + "' must be a leaf tensor (use detach())");
        params.put(name, value.requiresGrad(true));
        return value;
    }

    /**
     * Registers a buffer: state that is saved and loaded with the parameters but not trained, such as
     * batch norm's running averages, as {@code register_buffer}. The module updates it in place
     * ({@link Tensor#copyFrom}). Returns it.
     */
    protected final Tensor registerBuffer(String name, Tensor value) {
        checkName(name);
        if (value.requiresGrad()) throw new JanusException(kind() + ": buffer '" + name + "' must not require grad");
        buffers.put(name, value);
        return value;
    }

    /** Registers a child module; its parameters appear under "name.". Returns it. */
    protected final <M extends NNModule> M registerModule(String name, M module) {
        checkName(name);
        if (module == this) throw new JanusException(kind() + ": a module cannot be its own child");
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new JanusException(kind() + ": '" + name + "' is not a valid name (non-empty, without dots)");
        }
        if (params.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new JanusException(kind() + ": the name '" + name + "' is already taken");
        }
    }

    /** A field holding a module or a Parameter that is not registered yet, in declaration order. */
    private static final class FieldValue {
        final String name;
        final Object value;
        final int index;

        FieldValue(String name, Object value, int index) {
            this.name = name;
            this.value = value;
            this.index = index;
        }
    }

    /**
     * Registers the fields that hold a module or a {@link Parameter} and are not registered under
     * their name yet. The first time, they take their places among the explicit registrations by
     * declaration order (what PyTorch's assignments in {@code __init__} give); later, they join at
     * the end.
     */
    private void registerFields() {
        List<Field> fields = FIELDS.get(getClass());
        if (fields.isEmpty()) {
            fieldsRead = true;
            return;
        }
        Map<Object, Integer> position = new IdentityHashMap<>();
        List<FieldValue> newModules = new ArrayList<>(), newParams = new ArrayList<>();
        for (int i = 0; i < fields.size(); i++) {
            Field f = fields.get(i);
            Object v;
            try {
                v = f.get(this);
            } catch (IllegalAccessException e) {
                throw new JanusException(kind() + ": cannot read field '" + f.getName() + "': " + e.getMessage());
            }
            if (v == null || v == this || !(v instanceof NNModule || v instanceof Parameter)) continue;
            position.putIfAbsent(v, i);
            String name = f.getName();
            Object have = v instanceof NNModule ? children.get(name) : params.get(name);
            if (have == v) continue;
            if (have != null || params.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
                throw new JanusException(kind() + ": field '" + name + "' holds a " + v.getClass().getSimpleName()
                        + ", but the name '" + name + "' is registered to something else");
            }
            (v instanceof NNModule ? newModules : newParams).add(new FieldValue(name, v, i));
        }
        merge(children, newModules, position, !fieldsRead);
        merge(params, newParams, position, !fieldsRead);
        fieldsRead = true;
    }

    /** Puts the new entries in declaration order among the registered ones (or at the end). */
    @SuppressWarnings("unchecked")
    private static <T> void merge(Map<String, T> registered, List<FieldValue> added, Map<Object, Integer> position, boolean inPlace) {
        if (added.isEmpty()) return;
        Map<String, T> out = new LinkedHashMap<>();
        int next = 0;
        if (inPlace) {
            for (Map.Entry<String, T> e : registered.entrySet()) {
                Integer at = position.get(e.getValue());
                while (at != null && next < added.size() && added.get(next).index < at) {
                    out.put(added.get(next).name, (T) added.get(next).value);
                    next++;
                }
                out.put(e.getKey(), e.getValue());
            }
        } else {
            out.putAll(registered);
        }
        for (; next < added.size(); next++) out.put(added.get(next).name, (T) added.get(next).value);
        registered.clear();
        registered.putAll(out);
    }

    /** Every parameter of this module and its descendants, each once, in registration order. */
    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Parameters by dotted path ("layers.0.weight"); a parameter shared by two modules appears once. */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, new IdentityHashMap<>());
        return out;
    }

    /** Buffers by dotted path ("bn.running_mean"), in registration order. */
    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, new IdentityHashMap<>(), false, true);
        return out;
    }

    public List<Tensor> buffers() {
        return new ArrayList<>(namedBuffers().values());
    }

    private void collect(String prefix, Map<String, Tensor> out, Map<Tensor, Boolean> seen) {
        collect(prefix, out, seen, true, false);
    }

    /** Each module's parameters, then its buffers, then its children's, as PyTorch orders a state dict. */
    private void collect(String prefix, Map<String, Tensor> out, Map<Tensor, Boolean> seen, boolean withParams, boolean withBuffers) {
        registerFields();
        if (withParams) {
            for (Map.Entry<String, Tensor> p : params.entrySet()) {
                if (seen.put(p.getValue(), Boolean.TRUE) == null) out.put(prefix + p.getKey(), p.getValue());
            }
        }
        if (withBuffers) {
            for (Map.Entry<String, Tensor> b : buffers.entrySet()) {
                if (seen.put(b.getValue(), Boolean.TRUE) == null) out.put(prefix + b.getKey(), b.getValue());
            }
        }
        for (Map.Entry<String, NNModule> c : children.entrySet()) {
            c.getValue().collect(prefix + c.getKey() + ".", out, seen, withParams, withBuffers);
        }
    }

    /** Parameters and buffers, each module's in turn: what a state dict holds. */
    private Map<String, Tensor> namedState() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, new IdentityHashMap<>(), true, true);
        return out;
    }

    /** The direct children, in registration order. */
    public List<NNModule> children() {
        registerFields();
        return new ArrayList<>(children.values());
    }

    public Map<String, NNModule> namedChildren() {
        registerFields();
        return Collections.unmodifiableMap(children);
    }

    /**
     * Moves every parameter and buffer (and their gradients) to {@code device} in place, as PyTorch's
     * {@code module.to(device)}: the tensors stay the same objects, so an optimizer made before keeps
     * working. An unknown or unavailable device is an error before anything moves. Returns this.
     */
    public NNModule to(Device device) {
        if (!device.isCpu()) StorageKind.forDevice(device);
        for (Tensor t : namedState().values()) t.moveTo(device);
        return this;
    }

    /** Sets training mode here and in every descendant (dropout is active only in training). Returns this. */
    public NNModule train(boolean on) {
        registerFields();
        training = on;
        for (NNModule c : children.values()) c.train(on);
        return this;
    }

    public NNModule train() {
        return train(true);
    }

    public NNModule eval() {
        return train(false);
    }

    public boolean isTraining() {
        return training;
    }

    /**
     * Quantization-aware training (PyTorch's {@code prepare_qat}), here and in every descendant:
     * in training mode, Linear, Conv1d/Conv2d and the recurrent layers run with their int8
     * quantization simulated by fake_quantize (straight-through gradient): weights per output
     * channel, the inputs of Linear and convolutions per tensor, with the scales static quantization
     * gives them ({@code core.quant.FakeQuantization}, shared with the Keras-style front end). In
     * eval mode the module is the float model, which export writes and {@code OnnxQuantizer} makes int8.
     */
    public NNModule quantizationAware(boolean on) {
        registerFields();
        quantizationAware = on;
        for (NNModule c : children.values()) c.quantizationAware(on);
        return this;
    }

    /** Whether {@link #quantizationAware(boolean)} turned quantization-aware training on (as {@code Model.quantizationAware()}). */
    public boolean quantizationAware() {
        return quantizationAware;
    }

    /** A weight as this module computes with it: fake-quantized per slice along {@code axis} in quantization-aware training, else itself. */
    protected final Tensor quantizedWeight(Tensor w, int axis) {
        return quantizationAware && training ? FakeQuantization.weight(QUANTIZE, w, axis) : w;
    }

    /** An input as this module computes with it: fake-quantized per tensor in quantization-aware training, else itself. */
    protected final Tensor quantizedInput(Tensor x) {
        return quantizationAware && training ? FakeQuantization.activation(QUANTIZE, x) : x;
    }

    /** Clears every parameter's gradient. */
    public void zeroGrad() {
        for (Tensor p : parameters()) p.zeroGrad();
    }

    /** Total number of parameter elements. */
    public long parameterCount() {
        long n = 0;
        for (Tensor p : parameters()) n += p.numel();
        return n;
    }

    /**
     * A snapshot of every parameter and buffer by dotted name: copies (unlike PyTorch's views), so a
     * state dict kept as "the best so far" does not change as training goes on.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedState().forEach((k, v) -> out.put(k, v.copy()));
        return out;
    }

    /** Loads a state dict strictly: the keys must be exactly this module's, with matching shapes. */
    public LoadResult loadStateDict(Map<String, Tensor> state) {
        return loadStateDict(state, true);
    }

    /**
     * Copies the values into the parameters and buffers. Everything is checked before anything is written: a
     * dtype or shape mismatch is always an error, missing and unexpected keys only when strict; the
     * error lists every problem. Returns the missing and unexpected keys.
     */
    public LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> own = namedState();
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), mismatched = new ArrayList<>();
        for (Map.Entry<String, Tensor> p : own.entrySet()) {
            Tensor v = state.get(p.getKey());
            if (v == null) missing.add(p.getKey());
            else if (!v.type().equals(p.getValue().type())) {
                mismatched.add(p.getKey() + ": the checkpoint has " + v.type() + ", the model has " + p.getValue().type());
            }
        }
        for (String k : new TreeSet<>(state.keySet())) if (!own.containsKey(k)) unexpected.add(k);
        boolean keysWrong = strict && (!missing.isEmpty() || !unexpected.isEmpty());
        if (keysWrong || !mismatched.isEmpty()) {
            StringBuilder sb = new StringBuilder("Error(s) in loading state dict for ").append(kind()).append(':');
            if (strict && !missing.isEmpty()) sb.append("\n  missing keys: ").append(String.join(", ", missing));
            if (strict && !unexpected.isEmpty()) sb.append("\n  unexpected keys: ").append(String.join(", ", unexpected));
            for (String m : mismatched) sb.append("\n  size mismatch for ").append(m);
            throw new ShapeException(sb.toString());
        }
        for (Map.Entry<String, Tensor> p : own.entrySet()) {
            Tensor v = state.get(p.getKey());
            if (v != null) p.getValue().copyFrom(v);
        }
        return new LoadResult(missing, unexpected);
    }

    /** The keys a non-strict load left alone. */
    public static final class LoadResult {
        private final List<String> missing, unexpected;

        LoadResult(List<String> missing, List<String> unexpected) {
            this.missing = List.copyOf(missing);
            this.unexpected = List.copyOf(unexpected);
        }

        public List<String> missingKeys() {
            return missing;
        }

        public List<String> unexpectedKeys() {
            return unexpected;
        }

        @Override
        public String toString() {
            return "LoadResult(missing_keys=" + missing + ", unexpected_keys=" + unexpected + ")";
        }
    }

    /** What goes inside the parentheses of this module's line, as PyTorch's {@code extra_repr}. */
    protected String extraRepr() {
        return "";
    }

    /**
     * PyTorch's name for this module's class ("Linear", "Sequential"), as error messages, printing
     * and traced graphs show it: the {@code NN} that keeps {@code NNSequential} apart from the Keras
     * {@code Sequential} in Java is not part of it.
     */
    public String kind() {
        String n = getClass().getSimpleName();
        if (n.isEmpty()) return "Module";
        boolean ours = getClass().getPackageName().equals(NNModule.class.getPackageName());
        return ours && n.startsWith("NN") && n.length() > 2 && Character.isUpperCase(n.charAt(2)) ? n.substring(2) : n;
    }

    /** The module with its settings, one line per child, indented as PyTorch prints a model. */
    @Override
    public String toString() {
        registerFields();
        List<String> lines = new ArrayList<>();
        String extra = extraRepr();
        if (!extra.isEmpty()) lines.addAll(List.of(extra.split("\n")));
        for (Map.Entry<String, NNModule> c : children.entrySet()) {
            lines.add("(" + c.getKey() + "): " + c.getValue().toString().replace("\n", "\n  "));
        }
        if (lines.isEmpty()) return kind() + "()";
        if (children.isEmpty() && lines.size() == 1) return kind() + "(" + lines.get(0) + ")";
        return kind() + "(\n  " + String.join("\n  ", lines) + "\n)";
    }
}
