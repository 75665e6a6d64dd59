package dev.janus.core.onnx;

import dev.janus.core.DType;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Op;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The op set's ONNX mapping as a table; export/ checks every mapping against ONNX Runtime and ONNX's node tests. */
class OnnxImportsTest {
    @Test
    void importsTheOpTypesOfTheOpSetAndTheirDecompositions() {
        for (String t : List.of("Gemm", "MatMul", "Add", "Sum", "Relu", "Softmax", "Reshape", "Flatten", "Squeeze", "Unsqueeze",
                "Transpose", "Concat", "Identity", "HardSigmoid", "Selu", "Max", "Min", "GlobalAveragePool", "Dropout", "Constant",
                "Conv", "ConvTranspose", "MaxPool", "AveragePool", "BatchNormalization", "LayerNormalization", "LSTM", "GRU")) {
            assertTrue(OnnxImports.opTypes().contains(t), t);
            if (!t.equals("Constant")) assertNotNull(OnnxImports.rule(t), t);
        }
        assertNull(OnnxImports.rule("StringNormalizer")); // string ops stay out of the op set
        assertEquals(new TreeSet<>(OnnxImports.opTypes()), Set.copyOf(OnnxImports.opTypes()));
    }

    @Test
    void anOpWithoutAMappingSaysSo() {
        Op plain = new Op("plain", 1, 1) {
            @Override
            protected TensorType[] inferTypes(TensorType[] inputs, Attrs attrs) {
                return inputs;
            }

            @Override
            public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            }
        };
        ExportNode node = new ExportNode("plain", "layer_1", Attrs.NONE, List.of("x"), List.of(TensorType.of(DType.FLOAT32, 2)),
                List.of("y"), List.of(TensorType.of(DType.FLOAT32, 2)));
        OnnxException e = assertThrows(OnnxException.class, () -> plain.toOnnx(node, null));
        assertEquals("cannot export plain (node layer_1): no ONNX mapping is defined for this op", e.getMessage());
        assertTrue(plain.fromOnnx().isEmpty());
    }
}
