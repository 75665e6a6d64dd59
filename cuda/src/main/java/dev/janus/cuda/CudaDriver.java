package dev.janus.cuda;

import dev.janus.core.JanusException;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.cuda.global.cudart;

/**
 * Loads the CUDA runtime once and says whether a device can be used, and why not. Loading never
 * throws: a machine without the CUDA libraries or the driver (or with no device) gets a reason
 * instead, and everything except CUDA itself keeps working.
 *
 * <p>Driver API calls (module loading, launches) are made only after a device was found: with the
 * link stub of {@code libcuda.so.1} that a CPU-only check uses, calling one would abort the JVM.
 */
final class CudaDriver {
    private static final Object LOCK = new Object();
    private static volatile Boolean loaded;
    private static String reason;
    private static int devices;

    private CudaDriver() {
    }

    /** Loads the runtime (once); false, with {@link #reason()}, when it cannot be loaded. */
    static boolean runtimeLoaded() {
        if (loaded == null) {
            synchronized (LOCK) {
                if (loaded == null) load();
            }
        }
        return loaded;
    }

    private static void load() {
        try {
            Loader.load(cudart.class);
            int[] n = new int[1];
            int rc = cudart.cudaGetDeviceCount(n);
            if (rc != cudart.cudaSuccess) {
                reason = "cudaGetDeviceCount failed: " + errorString(rc) + " (error " + rc + ")";
                devices = 0;
            } else {
                devices = n[0];
                if (devices == 0) reason = "cudaGetDeviceCount found no device";
            }
            loaded = true;
        } catch (Throwable e) {
            // UnsatisfiedLinkError (no libcudart.so.13 / libcuda.so.1), NoClassDefFoundError (no presets jar).
            reason = "the CUDA runtime could not be loaded: " + e;
            devices = 0;
            loaded = false;
        }
    }

    /** How many CUDA devices the runtime sees: 0 without libraries, driver or device. */
    static int deviceCount() {
        runtimeLoaded();
        return devices;
    }

    /** Why no device can be used (null when one can). */
    static String reason() {
        runtimeLoaded();
        return devices > 0 ? null : reason;
    }

    /** The clear error for using a CUDA device where none can be used. */
    static JanusException unavailable(String what) {
        return new JanusException("no CUDA device/driver found (" + reason() + "): " + what
                + " needs an NVIDIA GPU with its driver and the CUDA 13 libraries (libcudart.so.13, libnvrtc.so.13, libcublas.so.13)");
    }

    static String errorString(int rc) {
        try {
            return cudart.cudaGetErrorString(rc).getString();
        } catch (Throwable e) {
            return "error " + rc;
        }
    }

    /** Throws a JanusException naming the call when a runtime call failed. */
    static void check(int rc, String call) {
        if (rc != cudart.cudaSuccess) throw new JanusException(call + " failed: " + errorString(rc) + " (CUDA error " + rc + ")");
    }

    /** Throws a JanusException naming the call when a driver call failed. */
    static void checkDriver(int rc, String call) {
        if (rc != cudart.CUDA_SUCCESS) {
            org.bytedeco.javacpp.PointerPointer<?> p = new org.bytedeco.javacpp.PointerPointer<>(1);
            String msg = cudart.cuGetErrorString(rc, p) == 0 && p.get(0) != null ? new org.bytedeco.javacpp.BytePointer(p.get(0)).getString() : "error " + rc;
            throw new JanusException(call + " failed: " + msg + " (CUDA driver error " + rc + ")");
        }
    }
}
