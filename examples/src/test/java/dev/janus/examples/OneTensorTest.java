package dev.janus.examples;

import dev.janus.core.Generator;
import dev.janus.core.Slice;
import dev.janus.core.Tensor;
import dev.janus.core.data.DataLoader;
import dev.janus.core.data.TensorDataset;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.NNModule;
import dev.janus.eager.nn.NNSequential;
import dev.janus.eager.nn.NNSoftmax;
import dev.janus.export.ExportOptions;
import dev.janus.export.ModelExport;
import dev.janus.export.OnnxRuntimeModel;
import dev.janus.layers.Input;
import dev.janus.layers.Sequential;
import dev.janus.layers.core.Dense;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One tensor a user meets (issue 13): what a Keras model's predict, an eager module's forward, a
 * data loader and ONNX Runtime give back is the same class, with the usual ops, requiring no grad
 * where no autograd was asked for; a Keras result goes into an eager module as it is.
 */
class OneTensorTest {
    @Test
    void predictForwardLoadersAndOnnxRuntimeGiveTheSameTensor(@TempDir Path dir) {
        Generator.manualSeed(0);
        Sequential keras = new Sequential(new Input(4), new Dense(8, "relu"), new Dense(3, "softmax"));
        Tensor x = Tensor.randn(new Generator(1), 5, 4);

        Tensor p = keras.predict(x);
        assertFalse(p.requiresGrad(), "a prediction requires no grad");
        assertNull(p.gradFn());
        Tensor classes = p.argmax(1);
        assertEquals(1, classes.dim());
        assertTrue(p.gt(0).logicalAnd(p.lt(1)).toBooleanArray()[0], "compared as any tensor");
        assertEquals(1.0, p.index(0).sum().item(), 1e-6, "indexed as any tensor: softmax rows sum to 1");

        NNModule eager = new NNSequential(new Linear(3, 2), new NNSoftmax(1));
        Tensor y = eager.forward(p);                     // a Keras result into an eager module, as it is
        assertNotNull(y.gradFn(), "the eager forward records, its parameters requiring grad");
        y.index(Slice.all(), 0).sum().backward();
        assertNotNull(eager.parameters().get(0).grad());
        assertNull(p.grad(), "the prediction, requiring no grad, gets none");

        Tensor[] batch = new DataLoader(new TensorDataset(x, classes), 5, false).iterator().next();
        assertSame(Tensor.class, batch[0].getClass());
        assertArrayEquals(x.toFloatArray(), batch[0].toFloatArray());

        Path file = ModelExport.toOnnx(keras, dir.resolve("m.onnx"), ExportOptions.defaults());
        try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(file)) {
            Tensor q = ort.run(x).get(0);
            assertFalse(q.requiresGrad());
            assertArrayEquals(classes.toLongArray(), q.argmax(1).toLongArray(), "ONNX Runtime's output has argmax too");
            assertTrue(q.sub(p).abs().amax(1, false).lt(1e-6).toBooleanArray()[4], "and sub, abs, amax, lt");
        }
    }
}
