package dev.janus.eager.nn;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.init.Initializers;
import dev.janus.core.Grad;
import dev.janus.core.Tensor;

/**
 * A lookup table, as {@code nn.Embedding}: int64 indices of any shape [*] give the rows of weight
 * [num_embeddings, embedding_dim], [*, embedding_dim]. The weight starts N(0, 1) from the global
 * generator. With a padding index that row starts at zero and receives no gradient, so training
 * leaves it where it is.
 */
public final class NNEmbedding extends NNModule {
    public final Tensor weight;
    private final int numEmbeddings, embeddingDim;
    /** -1 without one. */
    private final int paddingIdx;

    public NNEmbedding(int numEmbeddings, int embeddingDim) {
        this(numEmbeddings, embeddingDim, null, DType.FLOAT32);
    }

    /** paddingIdx: the row that stays put (negative counts from the end), or null. */
    public NNEmbedding(int numEmbeddings, int embeddingDim, Integer paddingIdx) {
        this(numEmbeddings, embeddingDim, paddingIdx, DType.FLOAT32);
    }

    public NNEmbedding(int numEmbeddings, int embeddingDim, Integer paddingIdx, DType dtype) {
        String kind = kind();
        if (numEmbeddings <= 0 || embeddingDim <= 0) {
            throw new JanusException(kind + ": num_embeddings and embedding_dim must be positive, got " + numEmbeddings + " and " + embeddingDim);
        }
        if (paddingIdx != null && (paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings)) {
            throw new JanusException(kind + ": padding_idx " + paddingIdx + " is outside the table of " + numEmbeddings + " rows");
        }
        if (!dtype.isFloating()) throw new JanusException(kind + ": dtype must be float32 or float64, got " + dtype);
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.paddingIdx = paddingIdx == null ? -1 : paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
        Tensor w = Initializers.normal(0, 1).create(Shape.of(numEmbeddings, embeddingDim), null, dtype, Generator.global());
        for (int j = 0; this.paddingIdx >= 0 && j < embeddingDim; j++) w.setDouble(this.paddingIdx * embeddingDim + j, 0);
        weight = registerParameter("weight", w);
    }

    @Override
    public Tensor forward(Tensor indices) {
        if (indices.dtype() != DType.INT64) {
            throw new ShapeException(this + ": expected int64 indices, got " + indices.type());
        }
        long[] idx = indices.toLongArray();
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 0 || idx[i] >= numEmbeddings) {
                throw new ShapeException(this + ": index " + idx[i] + " at position " + i + " of input " + indices.shape()
                        + " is outside [0, " + numEmbeddings + ")");
            }
        }
        Tensor rows = F.embedding(indices, weight);
        if (paddingIdx < 0 || !Grad.isEnabled() || !weight.requiresGrad()) return rows;
        // The same values, but the padding positions take theirs from a detached copy: no gradient reaches that row.
        Tensor atPadding = indices.eq(Tensor.scalar(paddingIdx, DType.INT64)).to(weight.dtype()).reshape(withOne(indices.shape()));
        return rows.mul(atPadding.neg().add(1)).add(rows.detach().mul(atPadding));
    }

    private static int[] withOne(Shape s) {
        int[] d = new int[s.rank() + 1];
        System.arraycopy(s.dims(), 0, d, 0, s.rank());
        d[s.rank()] = 1;
        return d;
    }

    public int numEmbeddings() {
        return numEmbeddings;
    }

    public int embeddingDim() {
        return embeddingDim;
    }

    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + embeddingDim + (paddingIdx >= 0 ? ", padding_idx=" + paddingIdx : "");
    }
}
