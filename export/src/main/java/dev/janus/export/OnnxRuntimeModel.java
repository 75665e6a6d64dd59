package dev.janus.export;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.onnx.OnnxException;
import dev.janus.core.onnx.OnnxTypes;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX model loaded into ONNX Runtime, run with Janus tensors: for deployment, and the judge of
 * every export. Inputs are checked by name, dtype and shape before ONNX Runtime sees them.
 *
 * <pre>{@code
 * try (OnnxRuntimeModel m = OnnxRuntimeModel.load(Path.of("iris.onnx"))) {
 *     Tensor logits = m.run(Tensor.of(new float[] {5.1f, 3.5f, 1.4f, 0.2f}, 1, 4)).get(0);
 * }
 * }</pre>
 */
public final class OnnxRuntimeModel implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final Map<String, TensorType> inputs = new LinkedHashMap<>(), outputs = new LinkedHashMap<>();
    private final String source;

    private OnnxRuntimeModel(OrtEnvironment env, OrtSession session, String source) throws OrtException {
        this.env = env;
        this.session = session;
        this.source = source;
        for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) inputs.put(e.getKey(), type(e.getValue(), "input"));
        for (Map.Entry<String, NodeInfo> e : session.getOutputInfo().entrySet()) outputs.put(e.getKey(), type(e.getValue(), "output"));
    }

    /**
     * ONNX Runtime's process-wide environment, made on a large stack the first time (see
     * {@link #onLargeStack}): for code that drives ONNX Runtime's own API, such as the benchmarks'
     * peers, and must not make the environment on a thread of its own.
     */
    public static OrtEnvironment environment() {
        try {
            return onLargeStack(OrtEnvironment::getEnvironment);
        } catch (OrtException e) {
            throw new OnnxException("ONNX Runtime cannot start: " + e.getMessage(), e);
        }
    }

    public static OnnxRuntimeModel load(Path path) {
        if (!Files.isRegularFile(path)) throw new OnnxException("no ONNX model at " + path);
        try {
            return onLargeStack(() -> {
                OrtEnvironment env = OrtEnvironment.getEnvironment();
                try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                    return open(env, env.createSession(path.toString(), options), path.toString());
                }
            });
        } catch (OrtException e) {
            throw new OnnxException("ONNX Runtime cannot load " + path + ": " + e.getMessage(), e);
        }
    }

    public static OnnxRuntimeModel load(byte[] model) {
        try {
            return onLargeStack(() -> {
                OrtEnvironment env = OrtEnvironment.getEnvironment();
                try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                    return open(env, env.createSession(model, options), "the model");
                }
            });
        } catch (OrtException e) {
            throw new OnnxException("ONNX Runtime cannot load the model: " + e.getMessage(), e);
        }
    }

    /** Something that calls into ONNX Runtime. */
    private interface OrtCall<T> {
        T call() throws OrtException;
    }

    /**
     * Runs {@code call} on a thread with a 512 MB stack (reserved address space; only what is used
     * is committed) and waits for it. ONNX Runtime recurses on the calling thread, and native code
     * that runs off a Java thread's stack kills the JVM (SIGSEGV, no exception): creating its
     * environment walks the process's command line a character at a time (about 230 bytes of stack
     * each: a class path of 4,500 characters overflows the default 1 MB stack, which is how
     * {@code janus demo} died once the serving jars joined its class path), and making a session
     * walks the graph (a chain of 10,000 nodes overflows 1 MB too).
     */
    private static <T> T onLargeStack(OrtCall<T> call) throws OrtException {
        Object[] result = {null};
        Throwable[] failed = {null};
        Thread t = new Thread(null, () -> {
            try {
                result[0] = call.call();
            } catch (Throwable e) {
                failed[0] = e;
            }
        }, "onnxruntime-load", 512L << 20);
        t.start();
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;   // the load finishes either way; the caller's interrupt is kept
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        if (failed[0] instanceof OrtException e) throw e;
        if (failed[0] instanceof RuntimeException e) throw e;
        if (failed[0] instanceof Error e) throw e;
        @SuppressWarnings("unchecked")
        T value = (T) result[0];
        return value;
    }

    private static OnnxRuntimeModel open(OrtEnvironment env, OrtSession session, String source) throws OrtException {
        try {
            return new OnnxRuntimeModel(env, session, source);
        } catch (OnnxException | OrtException e) {
            session.close();
            throw e;
        }
    }

    /** The inputs' names and types, in the model's order; an unknown dimension is -1. */
    public Map<String, TensorType> inputs() {
        return java.util.Collections.unmodifiableMap(inputs);
    }

    public Map<String, TensorType> outputs() {
        return java.util.Collections.unmodifiableMap(outputs);
    }

    /** Runs with one tensor per input, in the model's input order; returns the outputs in order. */
    public List<Tensor> run(Tensor... in) {
        if (in.length != inputs.size()) {
            throw new OnnxException(source + " takes " + inputs.size() + " inputs " + inputs + ", got " + in.length);
        }
        Map<String, Tensor> named = new LinkedHashMap<>();
        int i = 0;
        for (String name : inputs.keySet()) named.put(name, in[i++]);
        return new ArrayList<>(run(named).values());
    }

    /** Runs a model with one float32 input, given as a Java array and its shape. */
    public List<Tensor> run(float[] data, int... shape) {
        return run(Tensor.of(data, shape));
    }

    /** Runs with inputs by name; returns every output by name, in the model's order. */
    public Map<String, Tensor> run(Map<String, Tensor> in) {
        for (String name : in.keySet()) {
            if (!inputs.containsKey(name)) throw new OnnxException(source + " has no input named '" + name + "'; its inputs are " + inputs);
        }
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, TensorType> e : inputs.entrySet()) {
                Tensor t = in.get(e.getKey());
                if (t == null) throw new OnnxException(source + ": input '" + e.getKey() + "' (" + e.getValue() + ") is missing");
                TensorType want = e.getValue();
                if (t.dtype() != want.dtype() || !want.shape().compatible(t.shape())) {
                    throw new ShapeException(source + ": input '" + e.getKey() + "' expects " + want + ", got " + t.type());
                }
                feed.put(e.getKey(), toOrt(t));
            }
            try (OrtSession.Result result = session.run(feed)) {
                Map<String, Tensor> out = new LinkedHashMap<>();
                for (Map.Entry<String, OnnxValue> e : result) {
                    if (!(e.getValue() instanceof OnnxTensor)) throw new OnnxException(source + ": output '" + e.getKey() + "' is not a tensor");
                    out.put(e.getKey(), fromOrt((OnnxTensor) e.getValue(), e.getKey()));
                }
                return out;
            }
        } catch (OrtException e) {
            throw new OnnxException("ONNX Runtime failed to run " + source + ": " + e.getMessage(), e);
        } finally {
            for (OnnxTensor t : feed.values()) t.close();
        }
    }

    private OnnxTensor toOrt(Tensor t) throws OrtException {
        ByteBuffer b = ByteBuffer.allocateDirect(t.numel() * t.dtype().bytes()).order(ByteOrder.nativeOrder());
        t.storage().toBytes(b);
        b.rewind();
        OnnxJavaType type;
        switch (t.dtype()) {
            case FLOAT32: type = OnnxJavaType.FLOAT; break;
            case FLOAT64: type = OnnxJavaType.DOUBLE; break;
            case INT64: type = OnnxJavaType.INT64; break;
            case BOOL: type = OnnxJavaType.BOOL; break;
            case INT32: type = OnnxJavaType.INT32; break;
            case INT16: type = OnnxJavaType.INT16; break;
            case INT8: type = OnnxJavaType.INT8; break;
            case UINT8: type = OnnxJavaType.UINT8; break;
            case FLOAT16: type = OnnxJavaType.FLOAT16; break;
            case BFLOAT16: type = OnnxJavaType.BFLOAT16; break;
            default: throw new OnnxException(source + ": ONNX Runtime's Java API takes no " + t.dtype() + " inputs");
        }
        return OnnxTensor.createTensor(env, b, t.shape().toLongArray(), type);
    }

    private Tensor fromOrt(OnnxTensor o, String name) {
        TensorInfo info = o.getInfo();
        Tensor t = Tensor.empty(dtype(info, "output '" + name + "'"), Shape.of(info.getShape()));
        t.storage().fromBytes(o.getByteBuffer().order(ByteOrder.nativeOrder()));
        return t;
    }

    private TensorType type(NodeInfo info, String what) {
        if (!(info.getInfo() instanceof TensorInfo)) throw new OnnxException(source + ": " + what + " '" + info.getName() + "' is not a tensor");
        TensorInfo t = (TensorInfo) info.getInfo();
        long[] dims = t.getShape();
        for (int i = 0; i < dims.length; i++) if (dims[i] < 0) dims[i] = Shape.DYNAMIC;
        return new TensorType(dtype(t, what + " '" + info.getName() + "'"), Shape.of(dims));
    }

    private DType dtype(TensorInfo t, String what) {
        try {
            // ORT numbers its element types its own way: go by the ONNX name.
            return OnnxTypes.dtype(OnnxTypes.code(t.onnxType.name().replace("ONNX_TENSOR_ELEMENT_DATA_TYPE_", "")), source + ": " + what);
        } catch (OnnxException e) {
            throw new OnnxException(source + ": " + what + " has element type " + t.onnxType + ", which Janus tensors do not have");
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new OnnxException("ONNX Runtime failed to close " + source + ": " + e.getMessage(), e);
        }
    }
}
