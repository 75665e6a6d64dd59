package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.backend.CpuThreads;
import dev.janus.core.backend.StorageKind;
import dev.janus.core.testing.Close;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Tensors large enough for the kernels to split across threads and for native storage to run its
 * own kernels (BLAS in place, elementwise tiles, ND4J's exp and softmax): one thread and two give
 * the same numbers bit for bit, and so do heap and native storage (the convolution weight gradient
 * sums fixed groups of images whatever the thread count; ND4J's exp and softmax round in float
 * where Janus's kernels use double, within 1e-5 relative).
 */
class LargeKernelsTest {
    private final int threads = CpuThreads.threads();

    @AfterEach
    void restore() {
        CpuThreads.setThreads(threads);
    }

    private static Tensor random(long seed, int... shape) {
        return Tensor.randn(new Generator(seed), shape);
    }

    private static Arguments c(String label, Op op, Attrs attrs, Supplier<Tensor[]> inputs) {
        return Arguments.of(label, op, attrs, inputs);
    }

    static Stream<Arguments> cases() {
        Attrs conv = Attrs.of("pads", new int[] {1, 1, 1, 1});
        return Stream.of(
                c("relu", Ops.RELU, Attrs.NONE, () -> new Tensor[] {random(1, 300, 400)}),
                c("exp", Ops.EXP, Attrs.NONE, () -> new Tensor[] {random(2, 300, 400)}),
                c("tanh float64", Ops.TANH, Attrs.NONE, () -> new Tensor[] {Tensor.normal(0, 1, DType.FLOAT64, new Generator(3), 300, 400)}),
                c("add", Ops.ADD, Attrs.NONE, () -> new Tensor[] {random(4, 300, 400), random(5, 300, 400)}),
                c("add a bias row", Ops.ADD, Attrs.NONE, () -> new Tensor[] {random(6, 300, 400), random(7, 400)}),
                c("mul a column", Ops.MUL, Attrs.NONE, () -> new Tensor[] {random(8, 300, 400), random(9, 300, 1)}),
                c("greater", Ops.GREATER, Attrs.NONE, () -> new Tensor[] {random(10, 300, 400), random(11, 300, 400)}),
                c("sum over the batch", Ops.SUM, Attrs.of("axes", new int[] {0}), () -> new Tensor[] {random(12, 1024, 512)}),
                c("sum over rows", Ops.SUM, Attrs.of("axes", new int[] {1}), () -> new Tensor[] {random(13, 1024, 512)}),
                c("mean over all", Ops.MEAN, Attrs.NONE, () -> new Tensor[] {random(14, 512, 512)}),
                c("max over axes 0 and 2", Ops.MAX, Attrs.of("axes", new int[] {0, 2}), () -> new Tensor[] {random(15, 64, 32, 64)}),
                c("softmax", Ops.SOFTMAX, Attrs.of("axis", -1), () -> new Tensor[] {random(16, 2048, 64)}),
                c("log_softmax over axis 1 of 3", Ops.LOG_SOFTMAX, Attrs.of("axis", 1), () -> new Tensor[] {random(17, 64, 32, 40)}),
                c("max_pool", Ops.MAX_POOL, Attrs.of("kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2}),
                        () -> new Tensor[] {random(18, 32, 16, 32, 32)}),
                c("max_pool_grad", Ops.MAX_POOL_GRAD, Attrs.NONE, () -> {
                    Tensor x = random(35, 32, 16, 32, 32);
                    Tensor[] y = Ops.MAX_POOL.run(ExecContext.global(), Attrs.of("kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2}), x);
                    return new Tensor[] {random(36, 32, 16, 16, 16), y[1], x};
                }),
                c("transpose, channels last to first", Ops.TRANSPOSE, Attrs.of("perm", new int[] {0, 3, 1, 2}),
                        () -> new Tensor[] {random(37, 64, 8, 8, 64)}),
                c("matmul", Ops.MATMUL, Attrs.NONE, () -> new Tensor[] {random(19, 512, 300), random(20, 300, 200)}),
                c("matmul transposed", Ops.MATMUL, Attrs.of("transA", true, "transB", true), () -> new Tensor[] {random(21, 300, 512), random(22, 200, 300)}),
                c("batched matmul, broadcast", Ops.MATMUL, Attrs.NONE, () -> new Tensor[] {random(23, 4, 128, 64), random(24, 64, 32)}),
                c("linear", Ops.LINEAR, Attrs.NONE, () -> new Tensor[] {random(25, 512, 300), random(26, 200, 300), random(27, 200)}),
                c("conv", Ops.CONV, conv, () -> new Tensor[] {random(28, 16, 8, 32, 32), random(29, 16, 8, 3, 3), random(30, 16)}),
                c("conv_transpose", Ops.CONV_TRANSPOSE, conv, () -> new Tensor[] {random(31, 16, 16, 32, 32), random(32, 16, 8, 3, 3)}),
                c("conv_weight_grad", Ops.CONV_WEIGHT_GRAD, conv.with("kernel_shape", new int[] {3, 3}),
                        () -> new Tensor[] {random(33, 16, 8, 32, 32), random(34, 16, 16, 32, 32)}));
    }

    private static Tensor[] run(Op op, Attrs attrs, Tensor[] in, int threads) {
        CpuThreads.setThreads(threads);
        return op.run(new ExecContext(new Generator(1)), attrs, in);
    }

    private static Tensor[] to(Tensor[] t, StorageKind kind) {
        Tensor[] r = new Tensor[t.length];
        for (int i = 0; i < t.length; i++) r[i] = t[i].to(kind);
        return r;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void oneThreadTwoThreadsAndNativeStorageAgree(String label, Op op, Attrs attrs, Supplier<Tensor[]> inputs) {
        Tensor[] x = inputs.get();
        Tensor[] one = run(op, attrs, x, 1), two = run(op, attrs, x, 2), nat = run(op, attrs, to(x, StorageKind.NATIVE), 2);
        for (int k = 0; k < one.length; k++) {
            assertEquals(StorageKind.NATIVE, nat[k].storage().kind(), label + ": outputs stay native");
            Close.assertClose(one[k], two[k], 0, 0);
            // exp and softmax on native storage are ND4J's ops (Nd4jKernel): float rounding, not bits.
            double natTol = op == Ops.EXP || op == Ops.SOFTMAX ? (one[k].dtype() == DType.FLOAT32 ? 1e-5 : 1e-12) : 0;
            Close.assertClose(two[k], nat[k], natTol, 0);
        }
    }

    /**
     * A compiled plan's bias gradient: a native [1024, 512] reduced over the batch into a heap row.
     * The native kernel reads it row by row in the heap kernel's order: the same bits, on 1 and 2
     * threads, for every reduction of the family (and over two leading axes, and rows too short to
     * split among threads).
     */
    @org.junit.jupiter.api.Test
    void reductionsOfNativeInputsIntoHeapOutputsKeepTheHeapBits() {
        Tensor x = random(40, 1024, 512), x3 = random(41, 8, 128, 512), x5 = random(42, 1027, 5);
        // Factors near 1, so that a product of 1,024 of them is a number to compare.
        Tensor nearOne = x.mul(0.001f).add(1f);
        Object[][] cases = {{Ops.SUM, x, new int[] {0}}, {Ops.MEAN, x, new int[] {0}}, {Ops.MAX, x, new int[] {0}},
                {Ops.MIN, x, new int[] {0}}, {Ops.PROD, nearOne, new int[] {0}}, {Ops.SUM, x3, new int[] {0, 1}},
                {Ops.SUM, x3, new int[] {1}}, {Ops.SUM, x5, new int[] {0}}};
        for (Object[] c : cases) {
            Op op = (Op) c[0];
            Tensor in = (Tensor) c[1];
            Attrs attrs = Attrs.of("axes", (int[]) c[2], "keepdims", true);
            Tensor want = run(op, attrs, new Tensor[] {in}, 1)[0];
            org.junit.jupiter.api.Assertions.assertFalse(Kernels.stages(op, StorageKind.NATIVE), op.name() + " has a native kernel of its own");
            for (int t = 1; t <= 2; t++) {
                CpuThreads.setThreads(t);
                Tensor got = Tensor.empty(want.dtype(), want.shape());
                Tensor[] nat = {in.to(StorageKind.NATIVE)};
                Kernels.resolve(op, nat, new Tensor[] {got}).compute(nat, attrs, new Tensor[] {got}, new ExecContext(new Generator(1)));
                Close.assertClose(want, got, 0, 0);
            }
        }
    }

    /**
     * A sum or mean over the batch is each column's values added in row order in double, then
     * rounded to float once (the order that native and heap kernels share, written out here): on
     * heap and native storage, 1 and 2 threads, row counts that are and are not multiples of four.
     */
    @org.junit.jupiter.api.Test
    void sumsOverTheBatchAddEachColumnInRowOrderInDouble() {
        for (int[] shape : new int[][] {{1027, 512}, {1024, 5}, {3, 512}}) {
            Tensor x = random(43, shape);
            float[] a = x.toFloatArray();
            int rows = shape[0], cols = shape[1];
            for (Op op : new Op[] {Ops.SUM, Ops.MEAN}) {
                float[] want = new float[cols];
                for (int c = 0; c < cols; c++) {
                    double acc = 0;
                    for (int r = 0; r < rows; r++) acc += a[r * cols + c];
                    want[c] = (float) (op == Ops.MEAN ? acc / rows : acc);
                }
                Attrs attrs = Attrs.of("axes", new int[] {0}, "keepdims", false);
                for (int t = 1; t <= 2; t++) {
                    CpuThreads.setThreads(t);
                    for (StorageKind kind : new StorageKind[] {StorageKind.HEAP, StorageKind.NATIVE}) {
                        Tensor[] in = {x.to(kind)};
                        Tensor got = Tensor.empty(DType.FLOAT32, dev.janus.core.Shape.of(cols));
                        Kernels.resolve(op, in, new Tensor[] {got}).compute(in, attrs, new Tensor[] {got}, new ExecContext(new Generator(1)));
                        org.junit.jupiter.api.Assertions.assertArrayEquals(want, got.toFloatArray(),
                                op.name() + " of " + java.util.Arrays.toString(shape) + ", " + kind + ", " + t + " threads");
                    }
                }
            }
        }
    }
}
