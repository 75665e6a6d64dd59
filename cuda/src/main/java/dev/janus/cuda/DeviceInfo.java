package dev.janus.cuda;

import org.bytedeco.cuda.global.cudart;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A device's compute capability, which picks the architecture NVRTC compiles for. */
record DeviceInfo(int major, int minor) {
    private static final Map<Integer, DeviceInfo> CACHE = new ConcurrentHashMap<>();

    static DeviceInfo of(int device) {
        return CACHE.computeIfAbsent(device, d -> {
            int[] major = new int[1], minor = new int[1];
            CudaDriver.check(cudart.cudaDeviceGetAttribute(major, cudart.cudaDevAttrComputeCapabilityMajor, d), "cudaDeviceGetAttribute");
            CudaDriver.check(cudart.cudaDeviceGetAttribute(minor, cudart.cudaDevAttrComputeCapabilityMinor, d), "cudaDeviceGetAttribute");
            return new DeviceInfo(major[0], minor[0]);
        });
    }

    /** The device's name, compute capability and memory, the driver's and runtime's versions. */
    static String describe(int device) {
        org.bytedeco.cuda.cudart.cudaDeviceProp p = new org.bytedeco.cuda.cudart.cudaDeviceProp();
        CudaDriver.check(cudart.cudaGetDeviceProperties(p, device), "cudaGetDeviceProperties");
        int[] driver = new int[1], runtime = new int[1];
        CudaDriver.check(cudart.cudaDriverGetVersion(driver), "cudaDriverGetVersion");
        CudaDriver.check(cudart.cudaRuntimeGetVersion(runtime), "cudaRuntimeGetVersion");
        return String.format(java.util.Locale.ROOT, "%s, compute capability %d.%d, %.1f GiB, driver %d.%d, runtime %d.%d",
                p.name().getString(), p.major(), p.minor(), p.totalGlobalMem() / (double) (1L << 30),
                driver[0] / 1000, driver[0] % 1000 / 10, runtime[0] / 1000, runtime[0] % 1000 / 10);
    }

    /** "compute_90" for an H100. */
    String arch() {
        return "compute_" + major + minor;
    }
}
