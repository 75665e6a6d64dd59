package dev.janus.layers;

import dev.janus.core.ops.Emitter;
import dev.janus.core.quant.FakeQuantization;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A model's forward pass through its graph of layer calls, written once for every emitter: the
 * compiled and the eager paths run exactly these ops, in this order. A nested model's calls run
 * inline, on the same weights. A softmax or sigmoid that ends a layer giving a model output is
 * applied separately, so the loss can use the logits before it.
 */
final class Forward<V> {
    final List<V> outputs;
    /** Per output, the value before its final softmax or sigmoid, or null. */
    final List<V> logits;
    /** Per output, that final activation, or null. */
    final List<ActivationFunction> lasts;
    /** In training, the next value of each frozen weight a layer moves ({@link Layer#updates}). */
    final Map<Weight, V> updates;

    private Forward(List<V> outputs, List<V> logits, List<ActivationFunction> lasts, Map<Weight, V> updates) {
        this.outputs = outputs;
        this.logits = logits;
        this.lasts = lasts;
        this.updates = updates;
    }

    /** The first output (the output of a model of one). */
    V output() {
        return outputs.get(0);
    }

    /**
     * @param weights the handle of each weight
     * @param label   told each layer's name before its ops are emitted (graph labels), may ignore it
     */
    static <V> Forward<V> run(Model model, Emitter<V> e, List<V> inputs, Function<Weight, V> weights, boolean training,
                              Consumer<String> label) {
        // Quantization-aware training fakes the int8 model in training steps only: evaluate, predict
        // and the exported graph are the float model, which OnnxQuantizer then makes int8.
        Run<V> r = new Run<>(e, weights, training, training && model.quantizationAware(), label);
        List<V> out = r.graph(model, inputs, true);
        List<V> logits = new ArrayList<>();
        List<ActivationFunction> lasts = new ArrayList<>();
        for (V o : out) {
            Logits<V> l = r.logits.get(o);
            logits.add(l == null ? null : l.value);
            lasts.add(l == null ? null : l.activation);
        }
        return new Forward<>(out, logits, lasts, r.updates);
    }

    private static final class Logits<V> {
        final V value;
        final ActivationFunction activation;

        Logits(V value, ActivationFunction activation) {
            this.value = value;
            this.activation = activation;
        }
    }

    private static final class Run<V> {
        final Emitter<V> e;
        final Function<Weight, V> weights;
        final boolean training;
        /** Quantization-aware training: fake-quantize what each layer says ({@link Layer#quantizedWeights}). */
        final boolean quantize;
        final Consumer<String> label;
        final Map<V, Logits<V>> logits = new IdentityHashMap<>();
        final Map<Weight, V> updates = new LinkedHashMap<>();

        Run(Emitter<V> e, Function<Weight, V> weights, boolean training, boolean quantize, Consumer<String> label) {
            this.e = e;
            this.weights = weights;
            this.training = training;
            this.quantize = quantize;
            this.label = label;
        }

        /** Runs the model's calls on {@code inputs}; where {@code outermost}'s outputs need logits, keeps them. */
        List<V> graph(Model model, List<V> inputs, boolean wantLogits) {
            Map<KerasTensor, V> values = new IdentityHashMap<>();
            for (int i = 0; i < inputs.size(); i++) values.put(model.inputs().get(i), inputs.get(i));
            List<LayerCall> calls = model.calls();
            for (LayerCall c : calls) {
                List<V> in = new ArrayList<>();
                for (KerasTensor t : c.inputs) in.add(values.get(t));
                boolean givesOutput = wantLogits && givesOutput(model, c);
                List<V> out;
                if (c.layer instanceof Model) {
                    out = graph((Model) c.layer, in, givesOutput);
                } else {
                    out = call(c.layer, in, givesOutput);
                }
                for (int k = 0; k < out.size(); k++) values.put(c.outputs().get(k), out.get(k));
            }
            List<V> result = new ArrayList<>();
            for (KerasTensor t : model.outputs()) result.add(values.get(t));
            return result;
        }

        private static boolean givesOutput(Model model, LayerCall c) {
            for (KerasTensor t : model.outputs()) if (t instanceof LayerCall.Output && ((LayerCall.Output) t).call == c) return true;
            return false;
        }

        private List<V> call(Layer layer, List<V> in, boolean givesOutput) {
            label.accept(layer.name());
            List<V> ws = new ArrayList<>();
            List<Weight> quantized = quantize ? layer.quantizedWeights() : List.of();
            for (Weight w : layer.weights()) {
                V h = weights.apply(w);
                ws.add(quantized.contains(w) ? FakeQuantization.weight(e, h, -1) : h);
            }
            if (quantize && layer.quantizesInput()) {
                List<V> fq = new ArrayList<>();
                for (V x : in) fq.add(FakeQuantization.activation(e, x));
                in = fq;
            }
            ActivationFunction act = givesOutput && in.size() == 1 ? layer.outputActivation() : null;
            List<V> out;
            if (act != null) {
                V lg = layer.callLogits(e, in.get(0), ws, training);
                V o = act.apply(e, lg);
                logits.put(o, new Logits<>(lg, act));
                out = List.of(o);
            } else {
                out = layer.call(e, in, ws, training);
            }
            List<V> next = training && in.size() == 1 ? layer.updates(e, in.get(0), ws) : null;
            for (int k = 0; next != null && k < next.size(); k++) {
                if (next.get(k) != null) updates.put(layer.weights().get(k), next.get(k));
            }
            return out;
        }
    }
}
