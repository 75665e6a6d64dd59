package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.JanusException;

import java.util.Map;

/** Rebuilds the built-in layers from their {@link Layer#config()}, as a saved model holds it. */
final class LayerConfigs {
    private static final String KNOWN = "InputLayer, Dense, Dropout, Activation, Flatten, Softmax, Conv2D, MaxPooling2D, AveragePooling2D,"
            + " GlobalAveragePooling2D, BatchNormalization, LayerNormalization, Embedding, LSTM, GRU, Add, Subtract, Multiply, Average,"
            + " Maximum, Minimum, Concatenate";

    private LayerConfigs() {
    }

    /** True for the layer classes this can rebuild (a user's own layer subclass cannot be saved). */
    static boolean known(Layer l) {
        return l instanceof Input || l instanceof Dense || l instanceof Dropout || l instanceof Activation || l instanceof Flatten
                || l instanceof Softmax || l instanceof Conv2D || l instanceof Pooling2D || l instanceof GlobalAveragePooling2D
                || l instanceof BatchNormalization || l instanceof LayerNormalization || l instanceof Embedding || l instanceof RecurrentLayer
                || l instanceof Add || l instanceof Subtract || l instanceof Multiply || l instanceof Average || l instanceof Maximum
                || l instanceof Minimum || l instanceof Concatenate;
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
            case "Conv2D": {
                Conv2D conv = new Conv2D(integer(c, "filters"), ints(c, "kernel_size"), Activations.get(need(c, "activation")))
                        .strides(ints(c, "strides")).padding(need(c, "padding")).dilationRate(ints(c, "dilation_rate"))
                        .groups(integer(c, "groups")).useBias(flag(c, "use_bias"));
                String k = need(c, "kernel_initializer"), b = need(c, "bias_initializer");
                if (!k.equals("custom")) conv.kernelInitializer(k);
                if (!b.equals("custom")) conv.biasInitializer(b);
                l = conv;
                break;
            }
            case "MaxPooling2D": l = new MaxPooling2D(ints(c, "pool_size")).strides(ints(c, "strides")).padding(need(c, "padding")); break;
            case "AveragePooling2D": l = new AveragePooling2D(ints(c, "pool_size")).strides(ints(c, "strides")).padding(need(c, "padding")); break;
            case "GlobalAveragePooling2D": l = new GlobalAveragePooling2D().keepdims(flag(c, "keepdims")); break;
            case "BatchNormalization":
                l = new BatchNormalization().momentum(number(c, "momentum")).epsilon(number(c, "epsilon")).center(flag(c, "center"))
                        .scale(flag(c, "scale"));
                break;
            case "LayerNormalization":
                l = new LayerNormalization().epsilon(number(c, "epsilon")).center(flag(c, "center")).scale(flag(c, "scale"));
                break;
            case "Embedding": {
                Embedding emb = new Embedding(integer(c, "input_dim"), integer(c, "output_dim"));
                if (!need(c, "embeddings_initializer").equals("custom")) emb.embeddingsInitializer(need(c, "embeddings_initializer"));
                l = emb;
                break;
            }
            case "LSTM": l = recurrent(new LSTM(integer(c, "units")).unitForgetBias(flag(c, "unit_forget_bias")), c); break;
            case "GRU": l = recurrent(new GRU(integer(c, "units")).resetAfter(flag(c, "reset_after")), c); break;
            case "Add": l = new Add(); break;
            case "Subtract": l = new Subtract(); break;
            case "Multiply": l = new Multiply(); break;
            case "Average": l = new Average(); break;
            case "Maximum": l = new Maximum(); break;
            case "Minimum": l = new Minimum(); break;
            case "Concatenate": l = new Concatenate(integer(c, "axis")); break;
            default: throw new JanusException("unknown layer type '" + type + "'; known layer types: " + KNOWN);
        }
        l.name(need(c, "name"));
        return l;
    }

    private static <L extends RecurrentLayer<L>> L recurrent(L r, Map<String, String> c) {
        r.returnSequences(flag(c, "return_sequences")).useBias(flag(c, "use_bias"));
        for (String k : new String[] {"kernel_initializer", "recurrent_initializer", "bias_initializer"}) {
            String name = need(c, k);
            if (name.equals("custom")) continue;
            if (k.startsWith("kernel")) r.kernelInitializer(name);
            else if (k.startsWith("recurrent")) r.recurrentInitializer(name);
            else r.biasInitializer(name);
        }
        return r;
    }

    private static int integer(Map<String, String> c, String key) {
        return Integer.parseInt(need(c, key));
    }

    private static double number(Map<String, String> c, String key) {
        return Double.parseDouble(need(c, key));
    }

    private static boolean flag(Map<String, String> c, String key) {
        return Boolean.parseBoolean(need(c, key));
    }

    /** "[3, 3]" as written by Arrays.toString. */
    private static int[] ints(Map<String, String> c, String key) {
        String v = need(c, key).trim();
        if (!v.startsWith("[") || !v.endsWith("]")) throw new JanusException("layer setting '" + key + "' is not a list: " + v);
        return java.util.Arrays.stream(v.substring(1, v.length() - 1).split(",\\s*")).mapToInt(Integer::parseInt).toArray();
    }

    private static String need(Map<String, String> c, String key) {
        String v = c.get(key);
        if (v == null) throw new JanusException("layer setting '" + key + "' is missing");
        return v;
    }
}
