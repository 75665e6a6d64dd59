package dev.janus.eager.nn;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.init.Fans;
import dev.janus.core.init.Initializers;
import dev.janus.core.Tensor;

/**
 * y = x W^T + b, with W [out, in] and b [out], as {@code nn.Linear}. Initialised as PyTorch does:
 * W by kaiming_uniform with a = sqrt(5), which is U(-1/sqrt(in), 1/sqrt(in)), and b from the same
 * range, drawn from {@link Generator#global()}.
 */
public final class Linear extends NNModule {
    public final Tensor weight;
    /** Null without a bias. */
    public final Tensor bias;
    private final int inFeatures, outFeatures;

    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true, DType.FLOAT32);
    }

    public Linear(int inFeatures, int outFeatures, boolean bias) {
        this(inFeatures, outFeatures, bias, DType.FLOAT32);
    }

    public Linear(int inFeatures, int outFeatures, boolean bias, DType dtype) {
        if (inFeatures < 0 || outFeatures < 0) {
            throw new JanusException("Linear: in_features and out_features must be >= 0, got " + inFeatures + " and " + outFeatures);
        }
        if (!dtype.isFloating()) throw new JanusException("Linear: dtype must be float32 or float64, got " + dtype);
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        Shape ws = Shape.of(outFeatures, inFeatures);
        Generator g = Generator.global();
        this.weight = registerParameter("weight", 
                Initializers.kaimingUniform(Math.sqrt(5), Initializers.Mode.FAN_IN, "leaky_relu").create(ws, Fans.torch(ws), dtype, g));
        if (bias) {
            double bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
            this.bias = registerParameter("bias", 
                    Initializers.uniform(-bound, bound).create(Shape.of(outFeatures), null, dtype, g));
        } else {
            this.bias = null;
        }
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() < 1 || x.dim(-1) != inFeatures) {
            throw new dev.janus.core.ShapeException(this + ": expected an input whose last dimension has " + inFeatures
                    + " features, got shape " + x.shape());
        }
        InputChecks.sameDType(this, x, weight);
        return F.linear(x, weight, bias);
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + (bias != null ? "True" : "False");
    }
}
