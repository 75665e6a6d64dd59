package dev.janus.benchmarks;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.backend.StorageKind;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Op;
import dev.janus.core.ops.Ops;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * Large tensors, where ND4J's own native ops could beat Janus's kernels: each op into a
 * preallocated output, Janus on heap storage ("janus", its kernels split across the threads
 * OMP_NUM_THREADS allows), Janus on native storage ("janusNative": elementwise ops tile by tile,
 * the others staged through the heap), and ND4J's op on the same native memory ("nd4j", its OpenMP
 * threads: OMP_NUM_THREADS too). Setup checks that all three compute the same numbers.
 * <ul>
 *   <li>add, relu, exp: [1024, 1024] float32 (4 MB per tensor);</li>
 *   <li>sumRows: the sum over axis 0 of [1024, 1024] (a bias gradient);</li>
 *   <li>softmax: over the last axis of [4096, 256];</li>
 *   <li>conv: the CIFAR CNN's second conv, [64, 32, 16, 16] * [64, 32, 3, 3], padding 1;</li>
 *   <li>maxPool: 2x2 stride 2 of [64, 32, 32, 32] (ND4J's returns values only, Janus's also the
 *       indices its gradient needs).</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LargeOpsBenchmark {
    private ExecContext ctx;
    private Tensor a, b, out, sum, logits, probs, x, w, y, img, pooled, idx;
    private Tensor na, nb, nOut, nSum, nLogits, nProbs, nx, nw, ny, nImg, nPooled, nIdx;
    private INDArray da, db, dOut, dSum, dLogits, dProbs, dx, dw, dImg;
    private final Attrs rows = Attrs.of("axes", new int[] {0}), lastAxis = Attrs.of("axis", -1);
    private final Attrs same = Attrs.of("pads", new int[] {1, 1, 1, 1});
    private final Attrs pool = Attrs.of("kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2});
    private Conv2DConfig convConfig;
    private Pooling2DConfig poolConfig;

    @Setup
    public void setup() {
        Generator g = new Generator(11);
        ctx = new ExecContext(g);
        a = Tensor.randn(g, 1024, 1024);
        b = Tensor.randn(g, 1024, 1024);
        out = Tensor.zeros(1024, 1024);
        sum = Tensor.zeros(1024);
        logits = Tensor.randn(g, 4096, 256);
        probs = Tensor.zeros(4096, 256);
        x = Tensor.randn(g, 64, 32, 16, 16);
        w = Tensor.randn(g, 64, 32, 3, 3);
        y = Tensor.zeros(64, 64, 16, 16);
        img = Tensor.randn(g, 64, 32, 32, 32);
        pooled = Tensor.zeros(64, 32, 16, 16);
        idx = Tensor.zeros(dev.janus.core.DType.INT64, 64, 32, 16, 16);
        na = a.to(StorageKind.NATIVE);
        nb = b.to(StorageKind.NATIVE);
        nOut = out.to(StorageKind.NATIVE);
        nSum = sum.to(StorageKind.NATIVE);
        nLogits = logits.to(StorageKind.NATIVE);
        nProbs = probs.to(StorageKind.NATIVE);
        nx = x.to(StorageKind.NATIVE);
        nw = w.to(StorageKind.NATIVE);
        ny = y.to(StorageKind.NATIVE);
        nImg = img.to(StorageKind.NATIVE);
        nPooled = pooled.to(StorageKind.NATIVE);
        nIdx = idx.to(StorageKind.NATIVE);
        // ND4J's inputs share the native tensors' memory; its outputs are its own.
        da = na.toNd4j();
        db = nb.toNd4j();
        dOut = out.to(StorageKind.NATIVE).toNd4j();
        dSum = sum.to(StorageKind.NATIVE).toNd4j();
        dLogits = nLogits.toNd4j();
        dProbs = probs.to(StorageKind.NATIVE).toNd4j();
        dx = nx.toNd4j();
        dw = nw.toNd4j();
        dImg = nImg.toNd4j();
        convConfig = Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1).pH(1).pW(1).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat("NCHW").weightsFormat(WeightsFormat.OIYX).build();
        poolConfig = Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).pH(0).pW(0).dH(1).dW(1)
                .type(Pooling2D.Pooling2DType.MAX).paddingMode(PaddingMode.VALID).isNHWC(false).build();

        agree("add", add_janus(), add_janusNative(), add_nd4j());
        agree("relu", relu_janus(), relu_janusNative(), relu_nd4j());
        agree("exp", exp_janus(), exp_janusNative(), exp_nd4j());
        agree("sumRows", sumRows_janus(), sumRows_janusNative(), sumRows_nd4j());
        agree("softmax", softmax_janus(), softmax_janusNative(), softmax_nd4j());
        agree("conv", conv_janus(), conv_janusNative(), conv_nd4j());
        agree("maxPool", maxPool_janus(), maxPool_janusNative(), maxPool_nd4j());
    }

    /** Janus on heap and on native storage alike bit for bit, ND4J within float rounding (1e-4 of the magnitude). */
    private static void agree(String op, Tensor janus, Tensor nat, INDArray nd4j) {
        Tensor other = Tensor.fromNd4j(nd4j);
        double scale = 1;
        for (int i = 0; i < janus.numel(); i++) scale = Math.max(scale, Math.abs(janus.readDouble(i)));
        for (int i = 0; i < janus.numel(); i++) {
            double e = janus.readDouble(i);
            if (e != nat.readDouble(i) || Math.abs(e - other.readDouble(i)) > 1e-4 * scale) {
                throw new IllegalStateException(op + ": element " + i + " is " + e + " on the heap, " + nat.readDouble(i)
                        + " on native storage, " + other.readDouble(i) + " in ND4J");
            }
        }
    }

    private Tensor into(Op op, Attrs attrs, Tensor[] in, Tensor... outs) {
        op.execute(in, attrs, outs, ctx);
        return outs[0];
    }

    @Benchmark public Tensor add_janus() { return into(Ops.ADD, Attrs.NONE, new Tensor[] {a, b}, out); }
    @Benchmark public Tensor add_janusNative() { return into(Ops.ADD, Attrs.NONE, new Tensor[] {na, nb}, nOut); }
    @Benchmark public INDArray add_nd4j() { return Nd4j.getExecutioner().exec(new AddOp(da, db, dOut))[0]; }

    @Benchmark public Tensor relu_janus() { return into(Ops.RELU, Attrs.NONE, new Tensor[] {a}, out); }
    @Benchmark public Tensor relu_janusNative() { return into(Ops.RELU, Attrs.NONE, new Tensor[] {na}, nOut); }
    @Benchmark public INDArray relu_nd4j() { return Nd4j.getExecutioner().exec(new RectifiedLinear(da, dOut, 0.0)); }

    @Benchmark public Tensor exp_janus() { return into(Ops.EXP, Attrs.NONE, new Tensor[] {a}, out); }
    @Benchmark public Tensor exp_janusNative() { return into(Ops.EXP, Attrs.NONE, new Tensor[] {na}, nOut); }
    @Benchmark public INDArray exp_nd4j() { return Nd4j.getExecutioner().exec(new Exp(da, dOut)); }

    @Benchmark public Tensor sumRows_janus() { return into(Ops.SUM, rows, new Tensor[] {a}, sum); }
    @Benchmark public Tensor sumRows_janusNative() { return into(Ops.SUM, rows, new Tensor[] {na}, nSum); }
    @Benchmark public INDArray sumRows_nd4j() { return Nd4j.getExecutioner().exec(new Sum(da, dSum, 0)); }

    @Benchmark public Tensor softmax_janus() { return into(Ops.SOFTMAX, lastAxis, new Tensor[] {logits}, probs); }
    @Benchmark public Tensor softmax_janusNative() { return into(Ops.SOFTMAX, lastAxis, new Tensor[] {nLogits}, nProbs); }
    @Benchmark public INDArray softmax_nd4j() { return Nd4j.getExecutioner().exec(new SoftMax(dLogits, dProbs, -1))[0]; }

    @Benchmark public Tensor conv_janus() { return into(Ops.CONV, same, new Tensor[] {x, w}, y); }
    @Benchmark public Tensor conv_janusNative() { return into(Ops.CONV, same, new Tensor[] {nx, nw}, ny); }
    @Benchmark public INDArray conv_nd4j() { return Nd4j.cnn().conv2d(dx, dw, convConfig); }

    @Benchmark public Tensor maxPool_janus() { return into(Ops.MAX_POOL, pool, new Tensor[] {img}, pooled, idx); }
    @Benchmark public Tensor maxPool_janusNative() { return into(Ops.MAX_POOL, pool, new Tensor[] {nImg}, nPooled, nIdx); }
    @Benchmark public INDArray maxPool_nd4j() { return Nd4j.cnn().maxPooling2d(dImg, poolConfig); }
}
