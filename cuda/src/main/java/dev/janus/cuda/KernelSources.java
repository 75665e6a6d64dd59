package dev.janus.cuda;

import dev.janus.core.DType;

/**
 * CUDA C of the kernels that are not elementwise chains: reductions, arg-max, softmax and
 * log-softmax, softmax cross-entropy, mse, dropout, the strided copies behind transpose, expand, slice
 * and slice_scatter, and gather, index_add and one_hot.
 * Each is generated per (kind, dtype) and takes sizes as arguments, so one compiled kernel serves
 * every shape. Sums accumulate in double, as the CPU kernels do (the order differs: a tree per block).
 */
final class KernelSources {
    /** Threads per block of the block-per-row kernels (a power of two). */
    static final int THREADS = 256;

    private KernelSources() {
    }

    /** A block reduction of {@code double buf[THREADS]} with {@code combine(a, b)}; leaves the result in buf[0]. */
    private static String blockReduce(String combine) {
        return "  __syncthreads();\n"
                + "  for (int s = blockDim.x / 2; s > 0; s >>= 1) {\n"
                + "    if (threadIdx.x < s) { double a = buf[threadIdx.x], b = buf[threadIdx.x + s]; buf[threadIdx.x] = " + combine + "; }\n"
                + "    __syncthreads();\n"
                + "  }\n";
    }

    /**
     * {@code reduce_<kind>_<t>(x, y, nOut, nRed, keptDims, keptStrides, keptRank, redDims, redStrides, redRank)}:
     * one block per output element; kind is sum, mean, max or min.
     */
    static String reduce(String kind, DType t) {
        String ty = CudaC.type(t);
        String init = kind.equals("max") ? "-1.0 / 0.0" : kind.equals("min") ? "1.0 / 0.0" : "0.0";
        String combine = kind.equals("max") ? "jmax(a, b)" : kind.equals("min") ? "jmin(a, b)" : "a + b";
        String finish = kind.equals("mean") ? "buf[0] / nRed" : "buf[0]";
        return CudaC.PRELUDE
                + "extern \"C\" __global__ void reduce_" + kind + "_" + CudaC.tag(t) + "(const " + ty + "* __restrict__ x, " + ty + "* y, int nOut, int nRed,"
                + " I8 keptDims, I8 keptStrides, int keptRank, I8 redDims, I8 redStrides, int redRank) {\n"
                + "  __shared__ double buf[" + THREADS + "];\n"
                + "  for (int o = blockIdx.x; o < nOut; o += gridDim.x) {\n"
                + "    long long base = jindex(o, keptDims, keptStrides, keptRank);\n"
                + "    double acc = " + init + ";\n"
                + "    for (int r = threadIdx.x; r < nRed; r += blockDim.x) { double a = acc, b = (double) x[base + jindex(r, redDims, redStrides, redRank)]; acc = " + combine + "; }\n"
                + "    buf[threadIdx.x] = acc;\n"
                + blockReduce(combine)
                + "    if (threadIdx.x == 0) y[o] = (" + ty + ") (" + finish + ");\n"
                + "    __syncthreads();\n"
                + "  }\n}\n";
    }

    /** {@code argmax_<t>(x, y, nOut, n, inner)}: x seen as [outer, n, inner]; the first largest index; one thread per output. */
    static String argmax(DType t) {
        String ty = CudaC.type(t);
        return CudaC.PRELUDE
                + "extern \"C\" __global__ void argmax_" + CudaC.tag(t) + "(const " + ty + "* __restrict__ x, long long* y, long long nOut, int n, int inner) {\n"
                + "  for (long long o = blockIdx.x * (long long) blockDim.x + threadIdx.x; o < nOut; o += (long long) blockDim.x * gridDim.x) {\n"
                + "    long long base = (o / inner) * n * (long long) inner + o % inner;\n"
                + "    " + ty + " best = x[base]; long long at = 0;\n"
                + "    for (int j = 1; j < n; j++) { " + ty + " v = x[base + (long long) j * inner]; if (v > best || (v != v && best == best)) { best = v; at = j; } }\n"
                + "    y[o] = at;\n"
                + "  }\n}\n";
    }

    /** {@code softmax_<t>} / {@code log_softmax_<t>(x, y, rows, n, inner)}: one block per row of n elements, inner apart. */
    static String softmax(boolean log, DType t) {
        String ty = CudaC.type(t), name = (log ? "log_softmax_" : "softmax_") + CudaC.tag(t);
        return CudaC.PRELUDE
                + "extern \"C\" __global__ void " + name + "(const " + ty + "* __restrict__ x, " + ty + "* y, int rows, int n, int inner) {\n"
                + "  __shared__ double buf[" + THREADS + "];\n"
                + "  for (int row = blockIdx.x; row < rows; row += gridDim.x) {\n"
                + "    long long p = (long long) (row / inner) * n * inner + row % inner;\n"
                + "    double m = -1.0 / 0.0;\n"
                + "    for (int j = threadIdx.x; j < n; j += blockDim.x) m = jmax(m, (double) x[p + (long long) j * inner]);\n"
                + "    buf[threadIdx.x] = m;\n"
                + blockReduce("jmax(a, b)")
                + "    m = buf[0];\n"
                + "    __syncthreads();\n"
                + "    double sum = 0;\n"
                + "    for (int j = threadIdx.x; j < n; j += blockDim.x) sum += exp((double) x[p + (long long) j * inner] - m);\n"
                + "    buf[threadIdx.x] = sum;\n"
                + blockReduce("a + b")
                + "    sum = buf[0];\n"
                + "    double logSum = log(sum);\n"
                + "    for (int j = threadIdx.x; j < n; j += blockDim.x) {\n"
                + "      double v = (double) x[p + (long long) j * inner] - m;\n"
                + "      y[p + (long long) j * inner] = (" + ty + ") (" + (log ? "v - logSum" : "exp(v) / sum") + ");\n"
                + "    }\n"
                + "    __syncthreads();\n"
                + "  }\n}\n";
    }

    /**
     * {@code softmax_cross_entropy_<t>(z, labels, y, rows, classes, eps, reduction)}: one block; each
     * thread takes rows; reduction 0 = none (y per row), 1 = sum, 2 = mean. A label out of range
     * gives NaN for its row.
     */
    static String softmaxCrossEntropy(DType t) {
        String ty = CudaC.type(t);
        return CudaC.PRELUDE
                + "extern \"C\" __global__ void softmax_cross_entropy_" + CudaC.tag(t) + "(const " + ty + "* __restrict__ z, const long long* __restrict__ labels, "
                + ty + "* y, int rows, int c, double eps, int reduction) {\n"
                + "  __shared__ double buf[" + THREADS + "];\n"
                + "  double total = 0;\n"
                + "  for (int i = threadIdx.x; i < rows; i += blockDim.x) {\n"
                + "    long long p = (long long) i * c, label = labels[i];\n"
                + "    double m = -1.0 / 0.0, sum = 0, all = 0;\n"
                + "    for (int j = 0; j < c; j++) m = jmax(m, (double) z[p + j]);\n"
                + "    for (int j = 0; j < c; j++) { double v = (double) z[p + j]; sum += exp(v - m); all += v; }\n"
                + "    double loss = label < 0 || label >= c ? 0.0 / 0.0 : m + log(sum) - (1 - eps) * (double) z[p + label] - eps / c * all;\n"
                + "    if (reduction == 0) y[i] = (" + ty + ") loss;\n"
                + "    total += loss;\n"
                + "  }\n"
                + "  buf[threadIdx.x] = total;\n"
                + blockReduce("a + b")
                + "  if (threadIdx.x == 0 && reduction != 0) y[0] = (" + ty + ") (reduction == 2 ? buf[0] / rows : buf[0]);\n"
                + "}\n";
    }

    /**
     * {@code mse_<t>(a, b, y, n, reduction)}: (a - b)^2 in double; reduction 0 = none (y per element,
     * any grid), 1 = sum, 2 = mean (one block, the sum accumulated in double as the CPU kernel does).
     */
    static String mse(DType t) {
        String ty = CudaC.type(t);
        return CudaC.PRELUDE
                + "extern \"C\" __global__ void mse_" + CudaC.tag(t) + "(const " + ty + "* __restrict__ a, const " + ty + "* __restrict__ b, " + ty + "* y, long long n, int reduction) {\n"
                + "  __shared__ double buf[" + THREADS + "];\n"
                + "  double total = 0;\n"
                + "  for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) blockDim.x * gridDim.x) {\n"
                + "    double d = (double) a[i] - (double) b[i];\n"
                + "    if (reduction == 0) y[i] = (" + ty + ") (d * d);\n"
                + "    total += d * d;\n"
                + "  }\n"
                + "  if (reduction == 0) return;\n"
                + "  buf[threadIdx.x] = total;\n"
                + blockReduce("a + b")
                + "  if (threadIdx.x == 0) y[0] = (" + ty + ") (reduction == 2 ? buf[0] / n : buf[0]);\n"
                + "}\n";
    }

    /**
     * {@code dropout_<t>(x, y, mask, n, drop, keep, key0, key1)}: element i keeps when the uniform
     * float from word i%4 of Philox4x32-10 at counter (i/4, 0, 0, 0) is >= drop; mask = keep or 0.
     */
    static String dropout(DType t) {
        String ty = CudaC.type(t);
        return CudaC.PRELUDE
                + "extern \"C\" __global__ void dropout_" + CudaC.tag(t) + "(const " + ty + "* __restrict__ x, " + ty + "* y, " + ty + "* mask, long long n, float drop, "
                + ty + " keep, unsigned int key0, unsigned int key1) {\n"
                + "  for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) blockDim.x * gridDim.x) {\n"
                + "    unsigned int c[4] = {(unsigned int) (i >> 2), (unsigned int) (i >> 34), 0u, 0u};\n"
                + "    philox(c, key0, key1);\n"
                + "    float u = (float) (c[i & 3] >> 8) * (1.0f / 16777216.0f);\n"
                + "    " + ty + " m = u >= drop ? keep : (" + ty + ") 0;\n"
                + "    mask[i] = m;\n"
                + "    y[i] = x[i] * m;\n"
                + "  }\n}\n";
    }

    /** {@code copy_strided_<t>(x, y, n, dims, strides, rank, offset)}: y[i] = x[offset + jindex(i, dims, strides)]. */
    static String copyStrided(DType t) {
        String ty = CudaC.memType(t);
        return CudaC.PRELUDE
                + "extern \"C\" __global__ void copy_strided_" + CudaC.tag(t) + "(const " + ty + "* __restrict__ x, " + ty + "* y, long long n, I8 dims, I8 strides, int rank, long long offset) {\n"
                + "  for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) blockDim.x * gridDim.x)\n"
                + "    y[i] = x[offset + jindex(i, dims, strides, rank)];\n"
                + "}\n";
    }

    /** {@code scatter_strided_<t>(x, y, n, dims, strides, rank, offset)}: y[offset + jindex(i, dims, strides)] = x[i] (slice_scatter). */
    static String scatterStrided(DType t) {
        String ty = CudaC.memType(t);
        return CudaC.PRELUDE
                + "extern \"C\" __global__ void scatter_strided_" + CudaC.tag(t) + "(const " + ty + "* __restrict__ x, " + ty + "* y, long long n, I8 dims, I8 strides, int rank, long long offset) {\n"
                + "  for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) blockDim.x * gridDim.x)\n"
                + "    y[offset + jindex(i, dims, strides, rank)] = x[i];\n"
                + "}\n";
    }

    /** {@code gather_<t>(x, rows, y, outer, size, n, inner)}: y[o, j, k] = x[o, rows[j], k] (rows checked on the host). */
    static String gather(DType t) {
        String ty = CudaC.memType(t);
        return CudaC.PRELUDE
                + "extern \"C\" __global__ void gather_" + CudaC.tag(t) + "(const " + ty + "* __restrict__ x, const long long* __restrict__ rows, " + ty + "* y,"
                + " int outer, int size, int n, int inner) {\n"
                + "  long long total = (long long) outer * n * inner;\n"
                + "  for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < total; i += (long long) blockDim.x * gridDim.x) {\n"
                + "    long long o = i / ((long long) n * inner), rest = i % ((long long) n * inner);\n"
                + "    int j = (int) (rest / inner), k = (int) (rest % inner);\n"
                + "    y[i] = x[(o * size + rows[j]) * inner + k];\n"
                + "  }\n}\n";
    }

    /**
     * {@code index_add_<t>(y, x, outer, size, n, inner, u, targets, starts, sources)}: for each target
     * row targets[q], y[o, targets[q], k] += x[o, sources[p], k] for p in [starts[q], starts[q + 1]),
     * in the order of the indices. One thread per target element, no atomics: the sums are the CPU
     * kernel's, in its order, so the result is the same bit for bit and the same on every run.
     */
    static String indexAdd(DType t) {
        String ty = CudaC.type(t);
        return CudaC.PRELUDE
                + "extern \"C\" __global__ void index_add_" + CudaC.tag(t) + "(" + ty + "* y, const " + ty + "* __restrict__ x, int outer, int size, int n, int inner,"
                + " int u, const long long* __restrict__ targets, const long long* __restrict__ starts, const long long* __restrict__ sources) {\n"
                + "  long long total = (long long) outer * u * inner;\n"
                + "  for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < total; i += (long long) blockDim.x * gridDim.x) {\n"
                + "    long long o = i / ((long long) u * inner), rest = i % ((long long) u * inner);\n"
                + "    int q = (int) (rest / inner), k = (int) (rest % inner);\n"
                + "    long long d = (o * size + targets[q]) * inner + k;\n"
                + "    " + ty + " acc = y[d];\n"
                + "    for (long long p = starts[q]; p < starts[q + 1]; p++) acc += x[(o * n + sources[p]) * inner + k];\n"
                + "    y[d] = acc;\n"
                + "  }\n}\n";
    }

    /** {@code one_hot_<t>(labels, y, total, depth)}: y[i] = labels[i / depth] == i % depth (labels checked on the host). */
    static String oneHot(DType t) {
        String ty = CudaC.memType(t);
        return CudaC.PRELUDE
                + "extern \"C\" __global__ void one_hot_" + CudaC.tag(t) + "(const long long* __restrict__ labels, " + ty + "* y, long long total, int depth) {\n"
                + "  for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < total; i += (long long) blockDim.x * gridDim.x)\n"
                + "    y[i] = (" + ty + ") (labels[i / depth] == i % depth ? 1 : 0);\n"
                + "}\n";
    }
}
