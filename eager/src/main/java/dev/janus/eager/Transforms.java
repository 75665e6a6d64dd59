package dev.janus.eager;

import dev.janus.core.Grad;
import dev.janus.core.Tensor;
import dev.janus.core.JanusException;
import dev.janus.core.ShapeException;
import dev.janus.core.ir.Graph;
import dev.janus.core.ops.ExecContext;
import dev.janus.graph.CompileOptions;
import dev.janus.graph.Executable;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Function transforms, as {@code torch.func} and JAX: {@link #grad}, {@link #valueAndGrad},
 * {@link #vmap} and {@link #jit} take a function of tensors and give another, and they compose:
 * {@code vmap(grad(f))} is the gradient of f at each row of a batch.
 *
 * <pre>{@code
 * import static dev.janus.eager.Transforms.*;
 * Function<Tensor, Tensor> f = x -> x.mul(x).sum();
 * Tensor perRow = vmap(grad(f)).apply(batch);   // 2 x, row by row
 * Function<Tensor, Tensor> fast = jit(x -> x.tanh().mul(2));
 * }</pre>
 *
 * <p>{@code grad} is first order: the gradient rules run on values without recording, so a grad
 * taken inside another grad's function is refused rather than silently zero. It adds nothing into
 * any tensor's {@code grad()}, parameters' included. {@code vmap} maps over dimension 0 by evaluating the
 * function on each slice and stacking the results: the values and gradients of a batched
 * evaluation, computed per sample. {@code jit} traces the function on its first call for each
 * input shape (as {@code torch.jit.trace}: Java control flow is taken as it went; tensors the
 * function closes over are baked in as constants) and runs the compiled plan after that.
 */
public final class Transforms {
    /** How many grads are computing on this thread (a grad inside a grad's function is refused). */
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private Transforms() {
    }

    /** A value and its gradient, as {@code valueAndGrad} gives them. */
    public record ValueAndGrad(Tensor value, Tensor grad) {
    }

    /** x -> df/dx at x, for f giving a one-element tensor. */
    public static Function<Tensor, Tensor> grad(Function<Tensor, Tensor> f) {
        Function<Tensor, ValueAndGrad> both = valueAndGrad(f);
        return x -> both.apply(x).grad();
    }

    /** x -> (f(x), df/dx at x), for f giving a one-element tensor. */
    public static Function<Tensor, ValueAndGrad> valueAndGrad(Function<Tensor, Tensor> f) {
        return x -> {
            int[] depth = DEPTH.get();
            if (depth[0] > 0) throw new JanusException("grad: a grad inside a grad's function; grad is first order only");
            Tensor leaf = x.detach().requiresGrad(true);
            Tensor y;
            depth[0]++;
            try (Grad.Scope ignored = Grad.enabled(true)) {
                y = f.apply(leaf);
            } finally {
                depth[0]--;
            }
            if (y == null || y.numel() != 1) {
                throw new ShapeException("grad: the function must give a one-element tensor, got " + (y == null ? "null" : y.shape()));
            }
            if (!y.requiresGrad()) return new ValueAndGrad(y.detach(), Tensor.zeros(x.dtype(), x.shape().dims()));
            Tensor g = Grad.gradients(y, leaf)[0];
            return new ValueAndGrad(y.detach(), g);
        };
    }

    /** x -> f applied to each slice of x along dimension 0, the results stacked along dimension 0. */
    public static Function<Tensor, Tensor> vmap(Function<Tensor, Tensor> f) {
        return vmap(f, 0, 0);
    }

    /** {@link #vmap(Function)} over dimension {@code inDim} of x, stacking the results along {@code outDim}. */
    public static Function<Tensor, Tensor> vmap(Function<Tensor, Tensor> f, int inDim, int outDim) {
        return x -> {
            if (x.rank() == 0) throw new ShapeException("vmap: the input has no dimension to map over (it is a scalar)");
            int n = x.size(inDim);
            if (n == 0) throw new ShapeException("vmap: dimension " + inDim + " of " + x.shape() + " is empty");
            Tensor[] out = new Tensor[n];
            for (int i = 0; i < n; i++) {
                out[i] = f.apply(x.select(inDim, i));
                if (i > 0 && !out[i].shape().equals(out[0].shape())) {
                    throw new ShapeException("vmap: the function gave " + out[0].shape() + " for slice 0 but " + out[i].shape() + " for slice " + i);
                }
            }
            return Tensor.stack(outDim, out);
        };
    }

    /**
     * f compiled: traced on the first call for each input shape and dtype, then run as a compiled
     * plan (the compiler's passes, buffers planned once). Where the input requires grad while
     * gradients are recorded, f runs eagerly, so backward reaches through it.
     */
    public static Function<Tensor, Tensor> jit(Function<Tensor, Tensor> f) {
        Map<String, Executable> compiled = new HashMap<>();
        ExecContext ctx = new ExecContext(dev.janus.core.Generator.global());
        return x -> {
            if (x.requiresGrad() && Grad.isEnabled()) return f.apply(x);
            String key = x.type().toString();
            Executable exe = compiled.get(key);
            if (exe == null) {
                Graph g = Tracer.trace("jit", Map.of(), false, xs -> f.apply(xs[0]), x);
                exe = new Executable(g, CompileOptions.defaults());
                compiled.put(key, exe);
            }
            return exe.run(ctx, x).get(0).copy();
        };
    }
}
