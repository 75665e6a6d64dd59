package dev.janus.eager.nn;

import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.init.Fans;
import dev.janus.core.init.Initializers;
import dev.janus.core.Tensor;

/**
 * What {@link Conv1d} and {@link Conv2d} share: the weight [out, in / groups, *kernel] and bias
 * [out], initialised as PyTorch does (kaiming_uniform with a = sqrt(5), i.e. U(-1/sqrt(fan_in),
 * 1/sqrt(fan_in)) with fan_in = in / groups * kernel elements, and the bias from the same range),
 * the padding turned into explicit pads, and the input checks.
 */
abstract class ConvNd extends NNModule {
    public final Tensor weight;
    /** Null without a bias. */
    public final Tensor bias;
    final int inChannels, outChannels, groups;
    final int[] kernelSize, stride, padding, dilation;
    /** Explicit pads: every begin, then every end. */
    final int[] pads;
    private final String paddingMode;

    ConvNd(int spatial, int inChannels, int outChannels, int[] kernelSize, ConvOptions o) {
        String kind = kind();
        this.kernelSize = perAxis(kind, "kernel_size", kernelSize, spatial, 1);
        this.stride = perAxis(kind, "stride", o.stride, spatial, 1);
        this.dilation = perAxis(kind, "dilation", o.dilation, spatial, 1);
        this.groups = o.groups;
        if (inChannels <= 0 || outChannels <= 0) {
            throw new JanusException(kind + ": in_channels and out_channels must be positive, got " + inChannels + " and " + outChannels);
        }
        if (groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0) {
            throw new JanusException(kind + ": groups " + groups + " must be positive and divide in_channels " + inChannels
                    + " and out_channels " + outChannels);
        }
        if (!o.dtype.isFloating()) throw new JanusException(kind + ": dtype must be float32 or float64, got " + o.dtype);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.paddingMode = o.paddingMode;
        this.pads = new int[2 * spatial];
        if ("same".equals(paddingMode)) {
            for (int s : stride) {
                if (s != 1) throw new JanusException(kind + ": padding \"same\" needs stride 1, got stride " + Repr.tuple(stride));
            }
            for (int i = 0; i < spatial; i++) {
                int total = dilation[i] * (this.kernelSize[i] - 1);
                pads[i] = total / 2;
                pads[spatial + i] = total - total / 2;
            }
            this.padding = null;
        } else if ("valid".equals(paddingMode)) {
            this.padding = null;
        } else {
            this.padding = perAxis(kind, "padding", o.padding, spatial, 0);
            for (int i = 0; i < spatial; i++) pads[i] = pads[spatial + i] = padding[i];
        }

        int[] ws = new int[2 + spatial];
        ws[0] = outChannels;
        ws[1] = inChannels / groups;
        System.arraycopy(this.kernelSize, 0, ws, 2, spatial);
        Shape wShape = Shape.of(ws);
        Generator g = Generator.global();
        this.weight = registerParameter("weight", Initializers.kaimingUniform(Math.sqrt(5), Initializers.Mode.FAN_IN, "leaky_relu")
                .create(wShape, Fans.torch(wShape), o.dtype, g));
        if (o.bias) {
            double bound = 1 / Math.sqrt(Fans.torch(wShape).fanIn());
            this.bias = registerParameter("bias", Initializers.uniform(-bound, bound).create(Shape.of(outChannels), null, o.dtype, g));
        } else {
            this.bias = null;
        }
    }

    /** One value for every axis, or one per axis; each at least {@code least}. */
    static int[] perAxis(String kind, String what, int[] v, int spatial, int least) {
        if (v.length != 1 && v.length != spatial) {
            throw new JanusException(kind + ": " + what + " needs 1 or " + spatial + " values, got " + Repr.tuple(v));
        }
        int[] out = new int[spatial];
        for (int i = 0; i < spatial; i++) {
            out[i] = v[v.length == 1 ? 0 : i];
            if (out[i] < least) throw new JanusException(kind + ": " + what + " must be at least " + least + ", got " + Repr.tuple(v));
        }
        return out;
    }

    /** Each spatial size the input needs: the dilated kernel, less the padding. */
    static int[] smallestInput(int[] kernel, int[] dilation, int[] pads) {
        int r = kernel.length;
        int[] min = new int[r];
        for (int i = 0; i < r; i++) min[i] = (kernel[i] - 1) * dilation[i] + 1 - pads[i] - pads[r + i];
        return min;
    }

    @Override
    public Tensor forward(Tensor x) {
        InputChecks.image(this, x, inChannels, smallestInput(kernelSize, dilation, pads));
        InputChecks.sameDType(this, x, weight);
        return F.conv(x, weight, bias, stride, pads, dilation, groups);
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    @Override
    protected String extraRepr() {
        StringBuilder s = new StringBuilder(inChannels + ", " + outChannels + ", kernel_size=" + Repr.tuple(kernelSize)
                + ", stride=" + Repr.tuple(stride));
        if (paddingMode != null) s.append(", padding=").append(paddingMode);
        else if (java.util.Arrays.stream(padding).anyMatch(p -> p != 0)) s.append(", padding=").append(Repr.tuple(padding));
        if (java.util.Arrays.stream(dilation).anyMatch(d -> d != 1)) s.append(", dilation=").append(Repr.tuple(dilation));
        if (groups != 1) s.append(", groups=").append(groups);
        if (bias == null) s.append(", bias=False");
        return s.toString();
    }
}
