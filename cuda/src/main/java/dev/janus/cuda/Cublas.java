package dev.janus.cuda;

import dev.janus.core.DType;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Row-major matrix products through cuBLAS (column-major): C = op(A) op(B) is computed as
 * C^T = op(B)^T op(A)^T, which is cuBLAS's product of the same buffers with the operands swapped.
 * One handle per device; each call is queued on the caller's stream.
 */
final class Cublas {
    private static final Map<Integer, cublasContext> HANDLES = new ConcurrentHashMap<>();

    private Cublas() {
    }

    private static cublasContext handle(int device) {
        return HANDLES.computeIfAbsent(device, d -> {
            Loader.load(cublas.class);
            cublasContext h = new cublasContext();
            check(cublas.cublasCreate_v2(h), "cublasCreate");
            return h;
        });
    }

    /**
     * {@code count} products C_i[m, n] = beta C_i + op(A_i) op(B_i), A_i at a + i*strideA elements (0:
     * shared), likewise B and C, all row-major.
     */
    static void gemm(CudaStream stream, DType t, boolean ta, boolean tb, int m, int n, int k,
                     long a, long strideA, long b, long strideB, long c, long strideC, int count, double beta) {
        cublasContext h = handle(stream.device.index());
        check(cublas.cublasSetStream_v2(h, stream.handle), "cublasSetStream");
        int opA = ta ? cublas.CUBLAS_OP_T : cublas.CUBLAS_OP_N, opB = tb ? cublas.CUBLAS_OP_T : cublas.CUBLAS_OP_N;
        int lda = ta ? m : k, ldb = tb ? k : n;
        if (t == DType.FLOAT32) {
            FloatPointer one = new FloatPointer(1f), bet = new FloatPointer((float) beta);
            FloatPointer pa = new FloatPointer(new DevicePointer(a)), pb = new FloatPointer(new DevicePointer(b)), pc = new FloatPointer(new DevicePointer(c));
            if (count == 1) check(cublas.cublasSgemm_v2(h, opB, opA, n, m, k, one, pb, ldb, pa, lda, bet, pc, n), "cublasSgemm");
            else check(cublas.cublasSgemmStridedBatched(h, opB, opA, n, m, k, one, pb, ldb, strideB, pa, lda, strideA, bet, pc, n, strideC, count), "cublasSgemmStridedBatched");
        } else {
            DoublePointer one = new DoublePointer(1.0), bet = new DoublePointer(beta);
            DoublePointer pa = new DoublePointer(new DevicePointer(a)), pb = new DoublePointer(new DevicePointer(b)), pc = new DoublePointer(new DevicePointer(c));
            if (count == 1) check(cublas.cublasDgemm_v2(h, opB, opA, n, m, k, one, pb, ldb, pa, lda, bet, pc, n), "cublasDgemm");
            else check(cublas.cublasDgemmStridedBatched(h, opB, opA, n, m, k, one, pb, ldb, strideB, pa, lda, strideA, bet, pc, n, strideC, count), "cublasDgemmStridedBatched");
        }
    }

    private static void check(int status, String call) {
        if (status != cublas.CUBLAS_STATUS_SUCCESS) {
            throw new dev.janus.core.JanusException(call + " failed: " + cublas.cublasGetStatusString(status).getString() + " (cuBLAS status " + status + ")");
        }
    }
}
