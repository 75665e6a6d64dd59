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

    /** "compute_90" for an H100. */
    String arch() {
        return "compute_" + major + minor;
    }
}
