package dev.janus.export;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Grad;
import dev.janus.core.Tensor;
import dev.janus.export.proto.Onnx.AttributeProto;
import dev.janus.export.proto.Onnx.GraphProto;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static dev.janus.core.testing.Close.check;
import static dev.janus.export.Models.floatAttr;
import static dev.janus.export.Models.intAttr;
import static dev.janus.export.Models.model;
import static dev.janus.export.Models.node;
import static dev.janus.export.Models.value;

/**
 * ONNX ops that import as compositions of Janus ops (PRelu, InstanceNormalization, Attention,
 * RotaryEmbedding, ...): backward through the imported model agrees with central finite differences
 * of L = sum(w y) in float64, for every element of every input.
 */
class ImportedOpsGradientTest {
    private static final int FLOAT64 = 11;
    private static final double H = 1e-6, RTOL = 1e-5, ATOL = 1e-8;

    /** Imports one node whose inputs are graph inputs of the given shapes, and checks d sum(w y) / d input. */
    private static void agrees(String op, List<long[]> shapes, long[] outShape, AttributeProto... attrs) {
        GraphProto.Builder g = GraphProto.newBuilder().setName(op);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < shapes.size(); i++) {
            names.add("in" + i);
            g.addInput(value("in" + i, FLOAT64, shapes.get(i)));
        }
        g.addNode(node(op, names, List.of("y"), attrs)).addOutput(value("y", FLOAT64, outShape));
        OnnxModule m = new OnnxModule(OnnxImporter.read(model(23, g).toByteArray()));
        Generator gen = new Generator(7);
        List<Tensor> inputs = new ArrayList<>();
        for (long[] s : shapes) {
            int[] dims = new int[s.length];
            for (int i = 0; i < s.length; i++) dims[i] = (int) s[i];
            inputs.add((Tensor.uniform(-1.5, 1.5, DType.FLOAT64, gen, dims)).detach().requiresGrad(true));
        }
        int[] out = new int[outShape.length];
        for (int i = 0; i < out.length; i++) out[i] = (int) outShape[i];
        Tensor w = Tensor.uniform(-1, 1, DType.FLOAT64, gen, out);
        Supplier<Tensor> loss = () -> m.forward(inputs).get(0).mul(w).sum();
        loss.get().backward();
        for (int k = 0; k < inputs.size(); k++) {
            double[] v = inputs.get(k).f64(), grad = inputs.get(k).grad().f64();
            for (int j = 0; j < v.length; j++) {
                double keep = v[j];
                v[j] = keep + H;
                double plus = noGrad(loss);
                v[j] = keep - H;
                double minus = noGrad(loss);
                v[j] = keep;
                check((plus - minus) / (2 * H), grad[j], RTOL, ATOL, op + ": d/d input " + k + " element " + j);
            }
        }
    }

    @SuppressWarnings("try") // the no-grad scope is only opened and closed
    private static double noGrad(Supplier<Tensor> f) {
        try (Grad.Scope ignored = Grad.noGrad()) {
            return f.get().item();
        }
    }

    @Test
    void activations() {
        agrees("PRelu", List.of(new long[] {2, 3, 4}, new long[] {3, 1}), new long[] {2, 3, 4});
        agrees("Celu", List.of(new long[] {3, 4}), new long[] {3, 4}, floatAttr("alpha", 0.7f));
        agrees("Mish", List.of(new long[] {3, 4}), new long[] {3, 4});
        agrees("Softsign", List.of(new long[] {3, 4}), new long[] {3, 4});
        agrees("Swish", List.of(new long[] {3, 4}), new long[] {3, 4}, floatAttr("alpha", 1.3f));
    }

    @Test
    void normalizations() {
        agrees("InstanceNormalization", List.of(new long[] {2, 3, 5}, new long[] {3}, new long[] {3}), new long[] {2, 3, 5}, floatAttr("epsilon", 1e-3f));
        agrees("LpNormalization", List.of(new long[] {3, 4}), new long[] {3, 4}, intAttr("axis", 1), intAttr("p", 2));
        agrees("LpNormalization", List.of(new long[] {3, 4}), new long[] {3, 4}, intAttr("axis", 0), intAttr("p", 1));
    }

    @Test
    void dataMovement() {
        agrees("DepthToSpace", List.of(new long[] {1, 8, 2, 3}), new long[] {1, 2, 4, 6}, intAttr("blocksize", 2),
                AttributeProto.newBuilder().setName("mode").setType(AttributeProto.AttributeType.STRING)
                        .setS(com.google.protobuf.ByteString.copyFromUtf8("CRD")).build());
        agrees("SpaceToDepth", List.of(new long[] {1, 2, 4, 6}), new long[] {1, 8, 2, 3}, intAttr("blocksize", 2));
    }

    /** 3-D conv and pooling, imported as 2-D ones over the depth taps. */
    @Test
    void volumes() {
        agrees("Conv", List.of(new long[] {1, 2, 4, 3, 3}, new long[] {3, 2, 2, 2, 2}, new long[] {3}), new long[] {1, 3, 2, 2, 2},
                Models.intsAttr("strides", 2, 1, 1), Models.intsAttr("pads", 1, 0, 0, 0, 0, 0));
        agrees("AveragePool", List.of(new long[] {1, 2, 4, 3, 3}), new long[] {1, 2, 2, 2, 2},
                Models.intsAttr("kernel_shape", 2, 2, 2), Models.intsAttr("strides", 2, 2, 2), Models.intsAttr("pads", 1, 1, 1, 0, 0, 0));
        agrees("MaxPool", List.of(new long[] {1, 2, 4, 3, 3}), new long[] {1, 2, 3, 2, 2},
                Models.intsAttr("kernel_shape", 2, 2, 2), Models.intsAttr("strides", 1, 1, 1));
    }

    @Test
    void attention() {
        // 3-D, grouped query heads (4 query heads over 2 key/value heads), causal, with an additive mask
        agrees("Attention", List.of(new long[] {2, 3, 8}, new long[] {2, 4, 4}, new long[] {2, 4, 6}, new long[] {3, 4}),
                new long[] {2, 3, 12}, intAttr("q_num_heads", 4), intAttr("kv_num_heads", 2), intAttr("is_causal", 1), floatAttr("softcap", 2f));
        // RotaryEmbedding of 4-D input [B, heads, S, D], interleaved, caches per position
        agrees("RotaryEmbedding", List.of(new long[] {1, 2, 3, 4}, new long[] {1, 3, 2}, new long[] {1, 3, 2}), new long[] {1, 2, 3, 4},
                intAttr("interleaved", 1));
    }
}
