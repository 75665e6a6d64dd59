package dev.janus.core.data;

import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Ops;

import java.util.Arrays;

/** Tensors that share their first dimension; example i is row i of each, as {@code torch.utils.data.TensorDataset}. */
public final class TensorDataset implements Dataset {
    private static final Attrs ROWS = Attrs.of("axis", 0);

    private final Tensor[] tensors;

    public TensorDataset(Tensor... tensors) {
        if (tensors.length == 0) throw new ShapeException("TensorDataset: needs at least one tensor");
        for (int i = 0; i < tensors.length; i++) {
            if (tensors[i].rank() == 0) throw new ShapeException("TensorDataset: tensor " + i + " is a scalar; it needs a first (example) dimension");
            if (tensors[i].dim(0) != tensors[0].dim(0)) {
                throw new ShapeException("TensorDataset: tensor " + i + " has shape " + tensors[i].shape() + ", tensor 0 has "
                        + tensors[0].shape() + "; their first dimensions (the example counts) must agree");
            }
        }
        this.tensors = tensors.clone();
    }

    @Override
    public int size() {
        return tensors[0].dim(0);
    }

    /** Field {@code i}, all examples (the tensor itself, not a copy). */
    public Tensor tensor(int i) {
        return tensors[i];
    }

    public int fields() {
        return tensors.length;
    }

    @Override
    public Tensor[] get(int index) {
        Tensor[] rows = batch(new int[] {index});
        for (int f = 0; f < rows.length; f++) rows[f] = rows[f].view(rows[f].shape().sub(1, rows[f].rank()));
        return rows;
    }

    @Override
    public Tensor[] batch(int[] indices) {
        Tensor idx = Tensor.of(Arrays.stream(indices).asLongStream().toArray());
        Tensor[] out = new Tensor[tensors.length];
        for (int f = 0; f < tensors.length; f++) out[f] = Ops.GATHER.run(ExecContext.global(), ROWS, tensors[f], idx)[0];
        return out;
    }

    /** The examples at {@code indices}, copied, in that order. */
    public TensorDataset subset(int[] indices) {
        return new TensorDataset(batch(indices));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("TensorDataset(").append(size()).append(" examples:");
        for (Tensor t : tensors) sb.append(' ').append(t.type());
        return sb.append(')').toString();
    }
}
