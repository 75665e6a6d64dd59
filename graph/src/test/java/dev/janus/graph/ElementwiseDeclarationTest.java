package dev.janus.graph;

import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Op;
import dev.janus.core.ops.Ops;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each op says whether it is elementwise; the compiler asks the op, so a new op needs no list elsewhere. */
class ElementwiseDeclarationTest {
    @Test
    void theCoreOpsDeclareWhatTheCompilerTreatsAsElementwise() {
        Set<String> declared = new TreeSet<>();
        for (Op op : Ops.all()) if (op.isElementwise()) declared.add(op.name());
        for (String name : new String[] {"neg", "exp", "log", "sqrt", "abs", "sign", "erf", "relu", "leaky_relu", "elu", "gelu", "sigmoid",
                "tanh", "softplus", "clip", "add", "sub", "mul", "div", "pow", "maximum", "minimum", "greater", "equal", "where", "cast"}) {
            assertTrue(declared.contains(name), name + " is elementwise: " + declared);
        }
        for (String name : new String[] {"matmul", "linear", "softmax", "sum", "reshape", "transpose", "concat", "gather", "conv", "dropout"}) {
            assertFalse(declared.contains(name), name + " is not elementwise");
            assertFalse(Ops.get(name).isElementwise());
        }
    }

    /** A user's op: 2x, elementwise by its own declaration. */
    static final class Twice extends Op {
        Twice() {
            super("twice", 1, 1);
        }

        @Override
        public boolean isElementwise() {
            return true;
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            return new TensorType[] {in[0]};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            for (int i = 0; i < in[0].numel(); i++) out[0].setDouble(i, 2 * in[0].readDouble(i));
        }
    }

    @Test
    void aNewOpDeclaresItselfElementwise() {
        assertTrue(new Twice().isElementwise());
    }
}
