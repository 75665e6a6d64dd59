package dev.janus.core.backend;

import dev.janus.core.DType;
import dev.janus.core.Device;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A kind of memory that tensors' storage lives in, on one type of device, and the backend behind
 * it: it allocates storage, says which devices exist, makes streams, and is the key (with the op)
 * under which kernels are registered ({@link dev.janus.core.ops.Kernels}).
 *
 * <p>Built in: {@link #HEAP} (Java arrays, the CPU's default) and {@link #NATIVE} (ND4J buffers
 * off the heap, CPU). Other backends (CUDA) subclass this in their own module and are found with
 * {@link ServiceLoader} (a {@code META-INF/services/dev.janus.core.backend.StorageKind} file naming
 * the subclass, which has a public no-argument constructor and registers its kernels there), or
 * are registered by hand with {@link #register}.
 */
public abstract class StorageKind {
    public static final StorageKind HEAP = new StorageKind("heap", Device.CPU_TYPE) {
        @Override
        public Storage allocate(DType dtype, int length, Device device) {
            return HeapStorage.allocate(dtype, length);
        }
    };

    public static final StorageKind NATIVE = new StorageKind("native", Device.CPU_TYPE) {
        @Override
        public Storage allocate(DType dtype, int length, Device device) {
            return NativeStorage.allocate(dtype, length);
        }

        /** The CPU kernels run on heap copies of native operands until a native kernel is registered. */
        @Override
        public boolean hostFallback() {
            return true;
        }
    };

    private static final List<StorageKind> KINDS = new CopyOnWriteArrayList<>(List.of(HEAP, NATIVE));
    private static volatile boolean discovered;

    private final String name;
    private final String deviceType;

    protected StorageKind(String name, String deviceType) {
        this.name = name;
        this.deviceType = deviceType;
    }

    /** "heap", "native", "cuda". */
    public final String name() {
        return name;
    }

    /** The type of device its storage lives on ("cpu", "cuda"). */
    public final String deviceType() {
        return deviceType;
    }

    /** A zero-filled storage of {@code length} elements on {@code device} (checked to be this kind's). */
    public abstract Storage allocate(DType dtype, int length, Device device);

    /** How many devices of its type this backend sees (the CPU: 1). */
    public int deviceCount() {
        return 1;
    }

    /**
     * Whether an op with no kernel registered for this kind may run its CPU kernel on host copies of
     * the operands (logged once per op). When false, such an op is an error naming op and device.
     */
    public boolean hostFallback() {
        return false;
    }

    /** A new stream on {@code device}: the order one caller's kernels run in. CPU kinds run in the caller's thread. */
    public Stream newStream(Device device) {
        return Stream.SYNCHRONOUS;
    }

    /** A zero-filled tensor of this kind on {@code device}. */
    public final Tensor empty(DType dtype, Shape shape, Device device) {
        if (!shape.isStatic()) throw new ShapeException("cannot allocate a tensor of unknown shape " + shape);
        checkDevice(device);
        return Tensor.wrap(allocate(dtype, shape.size(), device), shape);
    }

    /**
     * Refuses a device this kind cannot allocate on (another type, an index out of range). A backend
     * overrides it to say why its devices cannot be used at all (no driver, say) before this runs.
     */
    protected void checkDevice(Device device) {
        if (!device.type().equals(deviceType)) {
            throw new JanusException(name + " storage lives on " + deviceType + ", not on " + device);
        }
        if (device.index() >= deviceCount()) {
            throw new JanusException("device " + device + " is not available: the " + name + " backend sees "
                    + deviceCount() + " " + deviceType + " device" + (deviceCount() == 1 ? "" : "s"));
        }
    }

    /** Ordered work on a device: kernels queued on one stream run one after another. */
    public interface Stream {
        /** Returns when everything queued so far has run. */
        void synchronize();

        Stream SYNCHRONOUS = () -> { };
    }

    // ---------------------------------------------------------------- the registry

    /** Registers a kind (a backend's); names are unique. */
    public static void register(StorageKind kind) {
        synchronized (KINDS) {
            for (StorageKind k : KINDS) {
                if (k.name.equals(kind.name)) {
                    if (k == kind || k.getClass() == kind.getClass()) return;
                    throw new JanusException("storage kind '" + kind.name + "' is already registered");
                }
            }
            KINDS.add(kind);
        }
    }

    // For tests that register a stand-in backend and leave the registry as they found it.
    static void unregister(StorageKind kind) {
        KINDS.remove(kind);
    }

    /** Every registered kind, those found on the class path included. */
    public static List<StorageKind> all() {
        discover();
        return new ArrayList<>(KINDS);
    }

    /** The kind of that name, or an error listing the registered ones. */
    public static StorageKind named(String name) {
        for (StorageKind k : all()) if (k.name.equals(name)) return k;
        List<String> names = new ArrayList<>();
        for (StorageKind k : KINDS) names.add(k.name);
        throw new JanusException("unknown storage kind '" + name + "'; registered: " + String.join(", ", names));
    }

    /**
     * The kind a device's tensors get by default: heap on the CPU, the first registered for other
     * types. A device whose type no backend serves, or whose index is out of range, is an error.
     */
    public static StorageKind forDevice(Device device) {
        if (device.isCpu()) return HEAP;
        StorageKind k = firstFor(device.type());
        if (k == null) {
            throw new JanusException("no " + device.type().toUpperCase(java.util.Locale.ROOT) + " backend is registered, so "
                    + device + " cannot be used: put a " + device.type() + " backend module on the class path");
        }
        k.checkDevice(device);
        return k;
    }

    /** True when a backend serves the device's type and has a device of its index. */
    public static boolean isAvailable(Device device) {
        StorageKind k = device.isCpu() ? HEAP : firstFor(device.type());
        return k != null && device.index() < k.deviceCount();
    }

    private static StorageKind firstFor(String deviceType) {
        for (StorageKind k : all()) if (k.deviceType.equals(deviceType)) return k;
        return null;
    }

    // Backends on the class path register themselves the first time a kind is looked up.
    private static void discover() {
        if (discovered) return;
        synchronized (KINDS) {
            if (discovered) return;
            discovered = true;
            for (StorageKind k : ServiceLoader.load(StorageKind.class)) register(k);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
