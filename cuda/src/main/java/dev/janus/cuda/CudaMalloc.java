package dev.janus.cuda;

import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/** The driver's memory of one device: cudaMalloc and cudaFree. */
final class CudaMalloc implements DeviceMemory {
    private final int device;

    CudaMalloc(int device) {
        this.device = device;
    }

    @Override
    public long malloc(long bytes) {
        CudaDriver.check(cudart.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
        PointerPointer<Pointer> p = new PointerPointer<>(1);
        try {
            int rc = cudart.cudaMalloc(p, bytes);
            if (rc == cudart.cudaErrorMemoryAllocation) {
                cudart.cudaGetLastError(); // clears the sticky "out of memory" so later calls succeed
                return 0;
            }
            CudaDriver.check(rc, "cudaMalloc(" + bytes + ")");
            return p.get(0).address();
        } finally {
            p.close();
        }
    }

    @Override
    public void free(long address) {
        CudaDriver.check(cudart.cudaFree(new DevicePointer(address)), "cudaFree");
    }
}
