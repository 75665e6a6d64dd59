package dev.janus.eager.nn;

import dev.janus.core.JanusException;
import dev.janus.core.Tensor;

/** x Phi(x) with the normal CDF Phi; approximate "tanh" uses the tanh form, as nn.GELU. */
public final class GELU extends NNModule {
    private final String approximate;

    public GELU() {
        this("none");
    }

    public GELU(String approximate) {
        if (!approximate.equals("none") && !approximate.equals("tanh")) {
            throw new JanusException("GELU: approximate must be \"none\" or \"tanh\", got \"" + approximate + "\"");
        }
        this.approximate = approximate;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.gelu(x, approximate);
    }

    @Override
    protected String extraRepr() {
        return "approximate='" + approximate + "'";
    }
}
