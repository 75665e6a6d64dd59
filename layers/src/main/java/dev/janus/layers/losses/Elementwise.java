package dev.janus.layers.losses;

import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Emitter;
import dev.janus.core.ops.Immediate;
import dev.janus.core.ops.Ops;
import dev.janus.layers.ActivationFunction;

import java.util.List;

/**
 * Keras's losses of labels shaped as the output whose per-sample value is a mean (or a sum) over
 * the last axis of a term computed element by element, with Keras's formulas and epsilon (1e-7);
 * the batch loss is the mean of the per-sample values.
 */
final class Elementwise implements Loss {
    enum Kind {
        /** 100 mean(|y - p| / max(|y|, eps)). */
        MAPE("mean_absolute_percentage_error", "mape") {
            <V> V perSample(Emitter<V> e, V p, V y) {
                V denominator = max(e, e.one(Ops.ABS, Attrs.NONE, List.of(y)), Losses.EPSILON);
                return e.mul(Losses.meanLast(e, e.one(Ops.ABS, Attrs.NONE, List.of(e.div(e.sub(y, p), denominator)))), 100);
            }
        },
        /** mean((log(max(p, eps) + 1) - log(max(y, eps) + 1))^2). */
        MSLE("mean_squared_logarithmic_error", "msle") {
            <V> V perSample(Emitter<V> e, V p, V y) {
                V d = e.sub(e.log(e.add(max(e, p, Losses.EPSILON), 1)), e.log(e.add(max(e, y, Losses.EPSILON), 1)));
                return Losses.meanLast(e, e.mul(d, d));
            }
        },
        /** sum(y log(y / p)), both clipped to [eps, 1]. */
        KLD("kl_divergence", "kld") {
            <V> V perSample(Emitter<V> e, V p, V y) {
                Attrs clip = Attrs.of("min", Losses.EPSILON, "max", 1.0);
                V yc = e.one(Ops.CLIP, clip, List.of(y)), pc = e.one(Ops.CLIP, clip, List.of(p));
                return Losses.sumLast(e, e.mul(yc, e.log(e.div(yc, pc))));
            }
        },
        /** mean(p - y log(p + eps)). */
        POISSON("poisson", null) {
            <V> V perSample(Emitter<V> e, V p, V y) {
                return Losses.meanLast(e, e.sub(p, e.mul(y, e.log(e.add(p, Losses.EPSILON)))));
            }
        },
        /** mean(log(cosh(p - y))), computed as x + softplus(-2x) - log 2. */
        LOG_COSH("log_cosh", "logcosh") {
            <V> V perSample(Emitter<V> e, V p, V y) {
                V x = e.sub(p, y);
                V softplus = e.one(Ops.SOFTPLUS, Attrs.NONE, List.of(e.mul(x, -2)));
                return Losses.meanLast(e, e.add(e.add(x, softplus), -Math.log(2)));
            }
        },
        /** mean(0.5 x^2 where |x| <= 1, else |x| - 0.5), x = p - y (delta 1). */
        HUBER("huber", null) {
            <V> V perSample(Emitter<V> e, V p, V y) {
                V x = e.sub(p, y);
                V abs = e.one(Ops.ABS, Attrs.NONE, List.of(x));
                V large = e.greater(abs, e.scalar(1, e.dtype(x)));
                return Losses.meanLast(e, e.where(large, e.add(abs, -0.5), e.mul(e.mul(x, x), 0.5)));
            }
        },
        /** mean(max(1 - y p, 0)), labels -1/1 (0/1 labels are mapped to -1/1, as Keras does). */
        HINGE("hinge", null) {
            <V> V perSample(Emitter<V> e, V p, V y) {
                return Losses.meanLast(e, max(e, e.rsub(1, e.mul(y, p)), 0));
            }
        },
        /** mean(max(1 - y p, 0)^2), labels as hinge's. */
        SQUARED_HINGE("squared_hinge", null) {
            <V> V perSample(Emitter<V> e, V p, V y) {
                V h = max(e, e.rsub(1, e.mul(y, p)), 0);
                return Losses.meanLast(e, e.mul(h, h));
            }
        },
        /** max(max((1 - y) p) - sum(y p) + 1, 0), one-hot labels. */
        CATEGORICAL_HINGE("categorical_hinge", null) {
            <V> V perSample(Emitter<V> e, V p, V y) {
                V positive = Losses.sumLast(e, e.mul(y, p));
                V negative = e.one(Ops.MAX, Attrs.of("axes", new int[] {-1}, "keepdims", false), List.of(e.mul(e.rsub(1, y), p)));
                return max(e, e.add(e.sub(negative, positive), 1), 0);
            }
        };

        final String keras, alias;

        Kind(String keras, String alias) {
            this.keras = keras;
            this.alias = alias;
        }

        abstract <V> V perSample(Emitter<V> e, V yPred, V yTrue);

        private static <V> V max(Emitter<V> e, V x, double floor) {
            return e.one(Ops.MAXIMUM, Attrs.NONE, List.of(x, e.scalar(floor, e.dtype(x))));
        }
    }

    private final Kind kind;

    Elementwise(Kind kind) {
        this.kind = kind;
    }

    @Override
    public String name() {
        return kind.keras;
    }

    @Override
    public TensorType labelType(TensorType output) {
        return output;
    }

    /** Labels of the output's shape; hinge's and squared hinge's 0/1 labels become -1/1. */
    @Override
    public Tensor prepareLabels(Tensor y, TensorType output) {
        Tensor t = Losses.sameShapeLabels(name(), y, output);
        if (kind != Kind.HINGE && kind != Kind.SQUARED_HINGE) return t;
        for (int i = 0; i < t.numel(); i++) {
            double v = t.readDouble(i);
            if (v != 0 && v != 1) {
                if (v != -1) throw new JanusException(name() + ": label " + v + " at element " + i + " is not -1, 1 (or 0/1)");
                return t;
            }
        }
        Immediate now = Immediate.global();
        return now.add(now.mul(t, 2), -1);
    }

    @Override
    public <V> V emitPerSample(Emitter<V> e, V yPred, V logits, ActivationFunction last, V yTrue) {
        return kind.perSample(e, yPred, yTrue);
    }
}
