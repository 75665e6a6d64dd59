package dev.janus.examples;

import dev.janus.core.JanusException;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.ops.Immediate;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.NNModule;
import dev.janus.layers.Layer;
import dev.janus.layers.Sequential;
import dev.janus.layers.Weight;
import dev.janus.layers.core.Dense;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pairs the weights of a model written twice, eagerly (PyTorch style) and as a Keras-style
 * {@link Sequential}: the k-th eager module that owns parameters with the k-th layer that has
 * weights. A {@link Linear} and a {@link Dense} hold the same matrix in opposite layouts (PyTorch's
 * weight is [out, in], Keras's kernel [in, out]), so the kernel is the weight transposed; any other
 * pair must hold the same shapes in the same order.
 */
final class WeightTransfer {
    /** One eager parameter and the Keras weight that holds the same numbers. */
    static final class Pair {
        final String eagerName;
        final Tensor eager;
        final Weight keras;
        final boolean transposed;

        Pair(String eagerName, Tensor eager, Weight keras, boolean transposed) {
            this.eagerName = eagerName;
            this.eager = eager;
            this.keras = keras;
            this.transposed = transposed;
        }

        /** The eager parameter in the Keras weight's layout. */
        Tensor eagerAsKeras() {
            Tensor v = eager;
            return transposed ? Immediate.global().transpose(v, 1, 0) : v;
        }

        @Override
        public String toString() {
            return eagerName + (transposed ? " (transposed)" : "") + " = " + keras.name();
        }
    }

    private WeightTransfer() {
    }

    /** The pairs, checked: layer counts, kinds and shapes must agree. */
    static List<Pair> pairs(NNModule eager, Sequential keras) {
        if (!keras.isBuilt()) throw new JanusException("Compare: the Keras-style model is not built; start it with an Input(shape)");
        Map<String, Map<String, Tensor>> groups = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> p : eager.namedParameters().entrySet()) {
            int dot = p.getKey().lastIndexOf('.');
            String owner = dot < 0 ? "" : p.getKey().substring(0, dot);
            groups.computeIfAbsent(owner, k -> new LinkedHashMap<>()).put(p.getKey(), p.getValue());
        }
        List<Layer> layers = new ArrayList<>();
        for (Layer l : keras.layers()) if (!l.weights().isEmpty()) layers.add(l);
        if (groups.size() != layers.size()) {
            List<String> names = new ArrayList<>();
            for (Layer l : layers) names.add(l.name());
            throw new ShapeException("Compare: the eager model has " + groups.size() + " modules with parameters " + groups.keySet()
                    + ", the Keras-style model " + layers.size() + " layers with weights " + names);
        }
        List<Pair> pairs = new ArrayList<>();
        int k = 0;
        for (Map.Entry<String, Map<String, Tensor>> g : groups.entrySet()) {
            Layer layer = layers.get(k++);
            boolean linearDense = module(eager, g.getKey()) instanceof Linear && layer instanceof Dense;
            List<Map.Entry<String, Tensor>> params = new ArrayList<>(g.getValue().entrySet());
            List<Weight> weights = layer.weights();
            if (params.size() != weights.size()) {
                throw new ShapeException("Compare: eager module '" + g.getKey() + "' has " + params.size() + " parameters, layer "
                        + layer.name() + " has " + weights.size() + " weights");
            }
            for (int i = 0; i < params.size(); i++) {
                Pair p = new Pair(params.get(i).getKey(), params.get(i).getValue(), weights.get(i),
                        linearDense && params.get(i).getValue().rank() == 2);
                if (!p.eagerAsKeras().type().equals(p.keras.value().type())) {
                    throw new ShapeException("Compare: " + p + ": the eager parameter is " + p.eager.type()
                            + ", the Keras weight " + p.keras.value().type());
                }
                pairs.add(p);
            }
        }
        return pairs;
    }

    /** Copies the eager model's weights into the Keras-style model (all pairs are checked first). */
    static void copy(NNModule eager, Sequential keras) {
        Map<Weight, Tensor> byWeight = new LinkedHashMap<>();
        for (Pair p : pairs(eager, keras)) byWeight.put(p.keras, p.eagerAsKeras());
        List<Tensor> values = new ArrayList<>();
        for (Weight w : keras.weights()) values.add(byWeight.get(w));
        keras.setWeights(values);
    }

    /** The largest |eager - keras| over every pair (NaN if either holds a NaN), and the pair where it is. */
    static Difference maxDifference(NNModule eager, Sequential keras) {
        double worst = 0;
        String where = "";
        for (Pair p : pairs(eager, keras)) {
            Tensor a = p.eagerAsKeras(), b = p.keras.value();
            for (int i = 0; i < a.numel(); i++) {
                double d = Math.abs(a.readDouble(i) - b.readDouble(i));
                if (Double.isNaN(d)) return new Difference(d, p.toString());
                if (d > worst || where.isEmpty()) {
                    worst = Math.max(worst, d);
                    where = p.toString();
                }
            }
        }
        return new Difference(worst, where);
    }

    /** A largest difference and the pair of weights where it is. */
    static final class Difference {
        final double value;
        final String where;

        Difference(double value, String where) {
            this.value = value;
            this.where = where;
        }
    }

    private static NNModule module(NNModule root, String path) {
        NNModule m = root;
        if (path.isEmpty()) return m;
        for (String part : path.split("\\.")) m = m.namedChildren().get(part);
        return m;
    }
}
