package dev.janus.cuda;

import dev.janus.core.JanusException;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CUDA C to PTX with NVRTC, at run time, cached per (source, architecture): a kernel is generated
 * per op signature, and the same signature compiles once per process.
 *
 * <p>Options: {@code -fmad=false} so a*b+c rounds twice as Java's float arithmetic does (the CPU
 * kernels' results are matched, not just approached); {@code -default-device}; the architecture
 * ({@code compute_90}, ...). NVRTC needs only {@code libnvrtc.so.13}, no GPU.
 */
final class Nvrtc {
    private static final Map<String, String> CACHE = new ConcurrentHashMap<>();
    private static volatile String loadError;
    private static volatile boolean loaded;

    private Nvrtc() {
    }

    /** Whether NVRTC can be used here; {@link #unavailableReason()} says why not. */
    static boolean isAvailable() {
        if (!loaded && loadError == null) {
            synchronized (Nvrtc.class) {
                if (!loaded && loadError == null) {
                    try {
                        // The presets load NVRTC's JNI library only after the runtime's.
                        if (!CudaDriver.runtimeLoaded()) throw new IllegalStateException(CudaDriver.reason());
                        Loader.load(nvrtc.class);
                        loaded = true;
                    } catch (Throwable e) {
                        loadError = "NVRTC could not be loaded: " + e;
                    }
                }
            }
        }
        return loaded;
    }

    static String unavailableReason() {
        return isAvailable() ? null : loadError;
    }

    /** NVRTC's version, "13.0". */
    static String version() {
        requireLoaded();
        int[] major = new int[1], minor = new int[1];
        check(nvrtc.nvrtcVersion(major, minor), "nvrtcVersion", null);
        return major[0] + "." + minor[0];
    }

    /** The PTX of {@code source} for {@code arch} ("compute_90"); a compile error carries NVRTC's log and the source. */
    static String ptx(String source, String arch) {
        return CACHE.computeIfAbsent(arch + "\n" + source, k -> compile(source, arch));
    }

    private static String compile(String source, String arch) {
        requireLoaded();
        _nvrtcProgram prog = new _nvrtcProgram();
        check(nvrtc.nvrtcCreateProgram(prog, new BytePointer(source, StandardCharsets.UTF_8), new BytePointer("janus.cu"), 0,
                (PointerPointer<?>) null, (PointerPointer<?>) null), "nvrtcCreateProgram", null);
        try {
            String[] opts = {"--gpu-architecture=" + arch, "-fmad=false", "-default-device", "-std=c++17"};
            PointerPointer<BytePointer> options = new PointerPointer<>(opts);
            int rc = nvrtc.nvrtcCompileProgram(prog, opts.length, options);
            if (rc != nvrtc.NVRTC_SUCCESS) {
                throw new JanusException("NVRTC could not compile a generated kernel for " + arch + ": "
                        + nvrtc.nvrtcGetErrorString(rc).getString() + "\n" + log(prog) + "\nsource:\n" + source);
            }
            SizeTPointer size = new SizeTPointer(1);
            check(nvrtc.nvrtcGetPTXSize(prog, size), "nvrtcGetPTXSize", null);
            BytePointer ptx = new BytePointer(size.get());
            check(nvrtc.nvrtcGetPTX(prog, ptx), "nvrtcGetPTX", null);
            String text = ptx.getString(StandardCharsets.UTF_8);
            int nul = text.indexOf('\0'); // the size counts the terminating NUL
            return nul < 0 ? text : text.substring(0, nul);
        } finally {
            nvrtc.nvrtcDestroyProgram(prog);
        }
    }

    private static String log(_nvrtcProgram prog) {
        SizeTPointer size = new SizeTPointer(1);
        if (nvrtc.nvrtcGetProgramLogSize(prog, size) != nvrtc.NVRTC_SUCCESS) return "(no log)";
        BytePointer log = new BytePointer(size.get());
        nvrtc.nvrtcGetProgramLog(prog, log);
        return log.getString(StandardCharsets.UTF_8);
    }

    private static void requireLoaded() {
        if (!isAvailable()) throw new JanusException(loadError);
    }

    private static void check(int rc, String call, String extra) {
        if (rc != nvrtc.NVRTC_SUCCESS) {
            throw new JanusException(call + " failed: " + nvrtc.nvrtcGetErrorString(rc).getString() + (extra == null ? "" : "\n" + extra));
        }
    }
}
