package dev.janus.examples;

import dev.janus.core.Generator;
import dev.janus.core.ir.Graph;
import dev.janus.core.Grad;
import dev.janus.core.Tensor;
import dev.janus.eager.Tracer;
import dev.janus.eager.nn.NNSequential;
import dev.janus.export.ExportOptions;
import dev.janus.export.OnnxExporter;
import dev.janus.export.OnnxRuntimeModel;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;

import static dev.janus.core.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The eagerly trained iris model, traced to IR and exported to ONNX: ONNX Runtime gives the eager forward's numbers. */
class TracedExportTest {
    @Test
    @SuppressWarnings("try") // the no-grad scope is only opened and closed
    void onnxRuntimeAgreesWithTheEagerForwardAtAnyBatchSize() {
        NNSequential model = IrisEager.train(1, 5, new PrintStream(OutputStream.nullOutputStream())).model;
        model.eval();
        Graph graph = Tracer.trace(model, Tensor.randn(16, 4));
        try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(OnnxExporter.toBytes(graph, ExportOptions.defaults()))) {
            assertEquals(List.of("input"), List.copyOf(ort.inputs().keySet()));
            assertEquals(List.of("output"), List.copyOf(ort.outputs().keySet()));
            for (int batch : new int[] {16, 7}) {
                Tensor x = Tensor.randn(new Generator(batch), batch, 4);
                Tensor expected;
                try (Grad.Scope ignored = Grad.noGrad()) {
                    expected = model.forward(x);
                }
                assertClose(expected, ort.run(x).get(0), 1e-5, 1e-6);
            }
        }
    }
}
