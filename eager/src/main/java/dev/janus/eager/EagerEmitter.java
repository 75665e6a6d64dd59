package dev.janus.eager;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Emitter;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Op;

import java.util.Arrays;
import java.util.List;

/**
 * The eager engine as an {@link Emitter}: code written once against an emitter (a Keras-style
 * layer, an imported ONNX graph) runs now on eager tensors, each op applied through
 * {@link Tensor#applyAll}, so it is recorded for backward (and for a trace while one is recorded)
 * as if it were called directly. Random ops (dropout) draw from the emitter's generator: the
 * global one, as eager code called directly does, or one given, which only this emitter's caller
 * draws from (so models trained in parallel threads on their own generators repeat).
 */
public class EagerEmitter implements Emitter<Tensor> {
    private ExecContext ctx;

    /** Random ops draw from {@link Generator#global()}. */
    public EagerEmitter() {
        ctx = ExecContext.global();
    }

    /** Random ops draw from {@code rng}. */
    public EagerEmitter(Generator rng) {
        generator(rng);
    }

    /** Random ops draw from {@code rng} from now on. */
    public void generator(Generator rng) {
        if (ctx == null || ctx.rng() != rng) ctx = new ExecContext(rng);
    }

    @Override
    public List<Tensor> apply(Op op, Attrs attrs, List<Tensor> inputs) {
        return Arrays.asList(Tensor.applyAll(ctx, op, attrs, inputs.toArray(new Tensor[0])));
    }

    @Override
    public TensorType type(Tensor value) {
        return value.type();
    }

    @Override
    public Tensor constant(Tensor value) {
        return value.detach();   // a leaf of its own: marking it as requiring grad leaves the caller's tensor alone
    }
}
