package dev.janus.layers;

import dev.janus.core.JanusException;
import dev.janus.core.optim.Adagrad;
import dev.janus.core.optim.Adam;
import dev.janus.core.optim.AdamW;
import dev.janus.core.optim.Adamax;
import dev.janus.core.optim.NAdam;
import dev.janus.core.optim.Optimizer;
import dev.janus.core.optim.RMSprop;
import dev.janus.core.optim.SGD;

import java.util.Map;

/**
 * Optimizers by Keras name, with Keras's default settings (learning rates, epsilon 1e-7), running
 * core's update rules: "adam", "adamw", "sgd", "rmsprop", "nadam", "adamax", "adagrad". Nadam,
 * Adamax and Adagrad also take Keras's update rule, which differs from PyTorch's: Nadam's momentum
 * decay is 1, Adamax adds epsilon after the maximum, Adagrad inside the root.
 */
public final class Optimizers {
    private static final String KNOWN = "adam, adamw, sgd, rmsprop, nadam, adamax, adagrad";

    private Optimizers() {
    }

    /** The optimizer of that Keras name, in any case ("adam", "Adam", "ADAM"), with Keras's defaults. */
    public static Optimizer get(String name) {
        if (name == null) throw new JanusException("unknown optimizer null; known optimizers: " + KNOWN);
        switch (Names.key(name)) {
            case "adam": return new Adam(0.001, 0.9, 0.999, 1e-7, 0);
            case "adamw": return new AdamW(0.001, 0.9, 0.999, 1e-7, 0.004);
            case "sgd": return new SGD(0.01);
            case "rmsprop": return new RMSprop(0.001, 0.9, 1e-7, 0, 0, false);
            case "nadam": return new NAdam(0.001, 0.9, 0.999, 1e-7, 0, 1);
            case "adamax": return new Adamax(0.001, 0.9, 0.999, 1e-7, 0, true);
            case "adagrad": return new Adagrad(0.001, 0, 0, 0.1, 1e-7, true);
            default: throw new JanusException("unknown optimizer '" + name + "'; known optimizers: " + KNOWN);
        }
    }

    /** Rebuilds an optimizer from its name and {@link Optimizer#hyperparameters()}, as a saved model holds them. */
    public static Optimizer fromConfig(String name, Map<String, Double> h) {
        switch (Names.key(name)) {
            case "adam": return new Adam(need(h, "lr"), need(h, "beta1"), need(h, "beta2"), need(h, "eps"), need(h, "weight_decay"));
            case "adamw": return new AdamW(need(h, "lr"), need(h, "beta1"), need(h, "beta2"), need(h, "eps"), need(h, "weight_decay"));
            case "sgd": return new SGD(need(h, "lr"), need(h, "momentum"), need(h, "dampening"), need(h, "weight_decay"), need(h, "nesterov") != 0);
            case "rmsprop": return new RMSprop(need(h, "lr"), need(h, "alpha"), need(h, "eps"), need(h, "weight_decay"), need(h, "momentum"),
                    need(h, "centered") != 0);
            case "nadam": return new NAdam(need(h, "lr"), need(h, "beta1"), need(h, "beta2"), need(h, "eps"), need(h, "weight_decay"),
                    need(h, "momentum_decay"));
            case "adamax": return new Adamax(need(h, "lr"), need(h, "beta1"), need(h, "beta2"), need(h, "eps"), need(h, "weight_decay"),
                    need(h, "eps_after_max") != 0);
            case "adagrad": return new Adagrad(need(h, "lr"), need(h, "lr_decay"), need(h, "weight_decay"), need(h, "initial_accumulator_value"),
                    need(h, "eps"), need(h, "eps_inside_sqrt") != 0);
            default: throw new JanusException("unknown optimizer '" + name + "'; known optimizers: " + KNOWN);
        }
    }

    private static double need(Map<String, Double> h, String key) {
        Double v = h.get(key);
        if (v == null) throw new JanusException("optimizer setting '" + key + "' is missing");
        return v;
    }
}
