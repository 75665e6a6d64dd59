package dev.janus.cuda;

import dev.janus.core.Device;
import dev.janus.core.backend.StorageKind;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;

/**
 * One caller's ordered queue of work on one device (a CUDA stream; one per {@code ExecContext}).
 * It is a blocking stream, so the runtime's synchronous copies (which run on the legacy default
 * stream) wait for the kernels queued here: a tensor read back to the host sees their results.
 *
 * <p>The stream a thread last launched on is its current one: new device memory is taken from
 * that stream's pool (see {@link CachingAllocator}).
 */
final class CudaStream implements StorageKind.Stream {
    private static final ThreadLocal<CudaStream> CURRENT = new ThreadLocal<>();

    final Device device;
    final CUstream_st handle;

    CudaStream(Device device) {
        this.device = device;
        CudaDriver.check(cudart.cudaSetDevice(device.index()), "cudaSetDevice(" + device.index() + ")");
        this.handle = new CUstream_st();
        CudaDriver.check(cudart.cudaStreamCreate(handle), "cudaStreamCreate");
    }

    /** The stream this thread last queued work on (null: none yet, the default stream). */
    static CudaStream current() {
        return CURRENT.get();
    }

    /** Makes this the thread's current stream; kernels call it before they allocate or launch. */
    CudaStream enter() {
        CURRENT.set(this);
        return this;
    }

    @Override
    public void synchronize() {
        CudaDriver.check(cudart.cudaStreamSynchronize(handle), "cudaStreamSynchronize");
    }
}
