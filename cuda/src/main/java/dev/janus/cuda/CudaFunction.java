package dev.janus.cuda;

import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A generated kernel loaded on the device: its source compiled once (NVRTC, for the device's
 * architecture), the module loaded once per device, then launched with arguments packed as the
 * driver wants them (a pointer to each argument's bytes).
 */
final class CudaFunction {
    private static final Map<String, CudaFunction> LOADED = new ConcurrentHashMap<>();

    private final CUfunc_st function;

    private CudaFunction(CUfunc_st function) {
        this.function = function;
    }

    /** The kernel {@code name} of {@code source}, loaded on {@code device} (cached). */
    static CudaFunction get(int device, String source, String name) {
        return LOADED.computeIfAbsent(device + "\n" + name + "\n" + source, k -> load(device, source, name));
    }

    private static CudaFunction load(int device, String source, String name) {
        String ptx = Nvrtc.ptx(source, DeviceInfo.of(device).arch());
        CudaDriver.check(cudart.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
        cudart.cudaFree(null); // makes the runtime's primary context current for the driver calls below
        CUmod_st module = new CUmod_st();
        CudaDriver.checkDriver(cudart.cuModuleLoadData(module, new BytePointer(ptx, StandardCharsets.UTF_8)), "cuModuleLoadData(" + name + ")");
        CUfunc_st f = new CUfunc_st();
        CudaDriver.checkDriver(cudart.cuModuleGetFunction(f, module, name), "cuModuleGetFunction(" + name + ")");
        return new CudaFunction(f);
    }

    /** Launches {@code blocks} x {@code threads} on {@code stream} with {@code args} ({@link KernelArgs}). */
    void launch(int blocks, int threads, int sharedBytes, CudaStream stream, KernelArgs args) {
        if (blocks == 0) return;
        try {
            PointerPointer<?> params = args.pack();
            CudaDriver.checkDriver(cudart.cuLaunchKernel(function, blocks, 1, 1, threads, 1, 1, sharedBytes, stream.handle, params,
                    (PointerPointer<?>) null), "cuLaunchKernel");
        } finally {
            // The argument bytes and the tensors they point into must outlive the launch call: a
            // temporary's block freed (by its cleaner) and reused before the launch would be overwritten.
            java.lang.ref.Reference.reachabilityFence(args);
        }
    }
}
