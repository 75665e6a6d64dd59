package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.JanusException;

import java.util.Map;

/** Rebuilds the built-in layers from their {@link Layer#config()}, as a saved model holds it. */
final class LayerConfigs {
    private static final String KNOWN = "InputLayer, Dense, Dropout, Activation, Flatten, Softmax";

    private LayerConfigs() {
    }

    /** True for the layer classes this can rebuild (a user's own layer subclass cannot be saved). */
    static boolean known(Layer l) {
        return l instanceof Input || l instanceof Dense || l instanceof Dropout || l instanceof Activation || l instanceof Flatten
                || l instanceof Softmax;
    }

    static Layer create(String type, Map<String, String> c) {
        Layer l;
        switch (type) {
            case "InputLayer": {
                String shape = need(c, "shape");
                String inner = shape.substring(1, shape.length() - 1).trim();
                int[] dims = inner.isEmpty() ? new int[0] : java.util.Arrays.stream(inner.split(",\\s*")).mapToInt(Integer::parseInt).toArray();
                l = new Input(DType.parse(need(c, "dtype")), dims);
                break;
            }
            case "Dense": {
                Dense d = new Dense(Integer.parseInt(need(c, "units")), Activations.get(need(c, "activation")))
                        .useBias(Boolean.parseBoolean(need(c, "use_bias")));
                String k = need(c, "kernel_initializer"), b = need(c, "bias_initializer");
                if (!k.equals("custom")) d.kernelInitializer(k);
                if (!b.equals("custom")) d.biasInitializer(b);
                l = d;
                break;
            }
            case "Dropout": l = new Dropout(Double.parseDouble(need(c, "rate"))); break;
            case "Activation": l = new Activation(need(c, "activation")); break;
            case "Flatten": l = new Flatten(); break;
            case "Softmax": l = new Softmax(Integer.parseInt(need(c, "axis"))); break;
            default: throw new JanusException("unknown layer type '" + type + "'; known layer types: " + KNOWN);
        }
        l.name(need(c, "name"));
        return l;
    }

    private static String need(Map<String, String> c, String key) {
        String v = c.get(key);
        if (v == null) throw new JanusException("layer setting '" + key + "' is missing");
        return v;
    }
}
