package dev.janus.core.data;

import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Ops;

/**
 * Examples addressed by index, like {@code torch.utils.data.Dataset}: each example is one tensor
 * per field (for example the features and the label), without a batch axis.
 */
public interface Dataset {
    int size();

    /** Example {@code index}, one tensor per field. */
    Tensor[] get(int index);

    /** The examples at {@code indices} stacked along a new first axis, one tensor per field. */
    default Tensor[] batch(int[] indices) {
        if (indices.length == 0) throw new ShapeException("Dataset.batch: no indices given");
        Tensor[][] examples = new Tensor[indices.length][];
        for (int i = 0; i < indices.length; i++) examples[i] = get(indices[i]);
        int fields = examples[0].length;
        Tensor[] out = new Tensor[fields];
        for (int f = 0; f < fields; f++) {
            Tensor[] rows = new Tensor[indices.length];
            for (int i = 0; i < rows.length; i++) {
                if (examples[i].length != fields) {
                    throw new ShapeException("Dataset.batch: example " + indices[i] + " has " + examples[i].length
                            + " fields, example " + indices[0] + " has " + fields);
                }
                Tensor t = examples[i][f];
                rows[i] = t.view(Shape.of(1).concat(t.shape()));
            }
            out[f] = Ops.CONCAT.run(ExecContext.global(), Attrs.of("axis", 0), rows)[0];
        }
        return out;
    }
}
