package dev.janus.core.init;

import dev.janus.core.JanusException;
import dev.janus.core.Shape;

/** Fan-in and fan-out of a weight, which depend on the framework's weight layout. */
public final class Fans {
    private final int fanIn, fanOut;

    public Fans(int fanIn, int fanOut) {
        this.fanIn = fanIn;
        this.fanOut = fanOut;
    }

    public int fanIn() {
        return fanIn;
    }

    public int fanOut() {
        return fanOut;
    }

    /** PyTorch layout [out, in, *kernel]: fan_in = in * kernel, fan_out = out * kernel. */
    public static Fans torch(Shape s) {
        if (s.rank() < 2) {
            throw new JanusException("fans: a weight needs at least 2 dimensions [out, in, ...], got " + s);
        }
        int receptive = s.size(2, s.rank());
        return new Fans(s.dim(1) * receptive, s.dim(0) * receptive);
    }

    /** Keras layout [*kernel, in, out]; a 1-D shape counts its length both ways, a scalar as 1. */
    public static Fans keras(Shape s) {
        if (s.rank() == 0) return new Fans(1, 1);
        if (s.rank() == 1) return new Fans(s.dim(0), s.dim(0));
        int receptive = s.size(0, s.rank() - 2);
        return new Fans(s.dim(-2) * receptive, s.dim(-1) * receptive);
    }

    @Override
    public String toString() {
        return "fan_in=" + fanIn + ", fan_out=" + fanOut;
    }
}
