package dev.janus.eager.nn;

import dev.janus.core.Tensor;

/** Modules applied one after the other; the children are named "0", "1", ... as in nn.Sequential. */
public final class NNSequential extends NNModule {
    private int size;

    public NNSequential(NNModule... layers) {
        for (NNModule m : layers) add(m);
    }

    /** Appends a module; returns this. */
    public NNSequential add(NNModule m) {
        registerModule(Integer.toString(size++), m);
        return this;
    }

    public NNModule get(int i) {
        if (i < 0 || i >= size) throw new IndexOutOfBoundsException("Sequential: index " + i + " of " + size + " modules");
        return namedChildren().get(Integer.toString(i));
    }

    public int size() {
        return size;
    }

    @Override
    public Tensor forward(Tensor x) {
        for (NNModule m : namedChildren().values()) x = m.forward(x);
        return x;
    }
}
