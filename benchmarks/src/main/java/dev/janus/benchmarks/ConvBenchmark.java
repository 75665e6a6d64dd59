package dev.janus.benchmarks;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Op;
import dev.janus.core.ops.Ops;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
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
 * Conv2d forward on a digits-sized batch (64 images of 8x8, 3x3 kernels, padding 1, channels
 * first): 1 -> 16 channels and 16 -> 32 channels, and a 2x2 max pool of the second's input.
 * Each "x_janus" is paired with "x_nd4j", ND4J's native op (NCHW input, OIYX weights). Setup checks
 * that both compute the same numbers, so the pair measures one computation. Janus's max_pool also
 * returns the index of each maximum (its gradient needs them); ND4J's maxPooling2d returns the
 * values only, and its maxPoolWithArgmax (1.0.0-M2.1) does not pool with this config.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ConvBenchmark {
    private ExecContext ctx;
    private Tensor x1, w1, b1, x16, w16, b16;
    private INDArray nx1, nw1, nb1, nx16, nw16, nb16;
    private final Attrs same = Attrs.of("pads", new int[] {1, 1, 1, 1});
    private final Attrs pool = Attrs.of("kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2});
    private Conv2DConfig nd4jConv;
    private Pooling2DConfig nd4jPool;

    @Setup
    public void setup() {
        Generator g = new Generator(7);
        ctx = new ExecContext(g);
        x1 = Tensor.randn(g, 64, 1, 8, 8);
        w1 = Tensor.randn(g, 16, 1, 3, 3);
        b1 = Tensor.randn(g, 16);
        x16 = Tensor.randn(g, 64, 16, 8, 8);
        w16 = Tensor.randn(g, 32, 16, 3, 3);
        b16 = Tensor.randn(g, 32);
        nx1 = x1.toNd4j();
        nw1 = w1.toNd4j();
        nb1 = b1.toNd4j();
        nx16 = x16.toNd4j();
        nw16 = w16.toNd4j();
        nb16 = b16.toNd4j();
        nd4jConv = Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1).pH(1).pW(1).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat("NCHW").weightsFormat(WeightsFormat.OIYX).build();
        nd4jPool = Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).pH(0).pW(0).dH(1).dW(1)
                .type(Pooling2D.Pooling2DType.MAX).paddingMode(PaddingMode.VALID).isNHWC(false).build();
        agree(conv1_janus(), conv1_nd4j());
        agree(conv16_janus(), conv16_nd4j());
        agree(maxPool_janus(), maxPool_nd4j());
    }

    private static void agree(Tensor janus, INDArray nd4j) {
        double worst = worstRelative(janus, Tensor.fromNd4j(nd4j));
        if (!(worst < 1e-4)) throw new IllegalStateException("Janus and ND4J disagree by " + worst);
    }

    private static double worstRelative(Tensor a, Tensor b) {
        if (!a.shape().equals(b.shape())) throw new IllegalStateException("shapes " + a.shape() + " and " + b.shape());
        double worst = 0;
        for (int i = 0; i < a.numel(); i++) worst = Math.max(worst, Math.abs(a.readDouble(i) - b.readDouble(i)) / Math.max(1, Math.abs(b.readDouble(i))));
        return worst;
    }

    private Tensor run(Op op, Attrs attrs, Tensor... in) {
        return op.run(ctx, attrs, in)[0];
    }

    @Benchmark
    public Tensor conv1_janus() {
        return run(Ops.CONV, same, x1, w1, b1);
    }

    @Benchmark
    public INDArray conv1_nd4j() {
        return Nd4j.cnn().conv2d(nx1, nw1, nb1, nd4jConv);
    }

    @Benchmark
    public Tensor conv16_janus() {
        return run(Ops.CONV, same, x16, w16, b16);
    }

    @Benchmark
    public INDArray conv16_nd4j() {
        return Nd4j.cnn().conv2d(nx16, nw16, nb16, nd4jConv);
    }

    @Benchmark
    public Tensor maxPool_janus() {
        return run(Ops.MAX_POOL, pool, x16);
    }

    @Benchmark
    public INDArray maxPool_nd4j() {
        return Nd4j.cnn().maxPooling2d(nx16, nd4jPool);
    }
}
