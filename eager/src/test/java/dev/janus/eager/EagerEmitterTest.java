package dev.janus.eager;

import dev.janus.core.Tensor;
import dev.janus.core.DType;
import dev.janus.core.TensorType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Code written against an Emitter, run by the eager engine: computed now and differentiable. */
class EagerEmitterTest {
    @Test
    void opsRunNowAndAreRecordedForBackward() {
        EagerEmitter e = new EagerEmitter();
        Tensor x = Tensor.of(new float[] {1, -2, 3}, 3).requiresGrad(true);
        Tensor c = e.constant(Tensor.of(new float[] {2, 2, 2}, 3));
        assertFalse(c.requiresGrad());
        Tensor y = e.mul(e.mul(x, x), c);   // 2x^2
        assertEquals(TensorType.of(DType.FLOAT32, 3), e.type(y));
        assertArrayEquals(new float[] {2, 8, 18}, y.toFloatArray());
        y.sum().backward();
        assertArrayEquals(new float[] {4, -8, 12}, x.grad().toFloatArray());   // 4x
    }
}
