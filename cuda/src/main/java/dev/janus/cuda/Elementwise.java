package dev.janus.cuda;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Op;

import java.util.List;

/**
 * CUDA C for a chain of elementwise ops as one kernel: each thread reads element i of every input
 * (in place, repeating with a period, or through broadcast strides), runs the chain in registers and
 * writes the chain's outputs. One op is a chain of one; the graph compiler's fused groups are longer.
 *
 * <p>The arithmetic follows the CPU kernels: float32 transcendental functions are computed in double
 * and rounded, as {@code (float) Math.exp(x)} is; +, -, *, / stay in the element type, unfused
 * ({@code -fmad=false}); max, min and casts have Java's semantics.
 */
final class Elementwise {
    /** How an input is read at output element i. */
    enum Read {
        /** x[i]: the output's shape. */
        FULL,
        /** x[i % period]: a scalar or trailing block (a bias row). */
        PERIOD,
        /** x[offset of i through broadcast strides]: any other broadcast. */
        STRIDED,
        /** A host scalar, passed by value as a kernel argument. */
        ARG
    }

    /** One op of the chain; sources are value numbers (inputs 0..n-1, then the k-th result is n+k). */
    record Step(Op op, Attrs attrs, int[] sources, DType type) {
    }

    private Elementwise() {
    }

    /**
     * The kernel's source. Its parameters: {@code long long n}, the inputs (a pointer, or an ARG's value),
     * the outputs, then for each
     * PERIOD input its {@code long long} period, and when any input is STRIDED the output's dimensions
     * (an {@code I8}) followed by each STRIDED input's strides ({@code I8}).
     */
    static String source(String name, DType[] inputs, Read[] reads, int rank, List<Step> steps, int[] outputs) {
        int n = inputs.length;
        DType[] types = new DType[n + steps.size()];
        System.arraycopy(inputs, 0, types, 0, n);
        for (int k = 0; k < steps.size(); k++) types[n + k] = steps.get(k).type();
        StringBuilder sig = new StringBuilder("long long n");
        for (int j = 0; j < n; j++) {
            if (reads[j] == Read.ARG) sig.append(", ").append(CudaC.type(inputs[j])).append(" in").append(j);
            else sig.append(", const ").append(CudaC.memType(inputs[j])).append("* __restrict__ in").append(j);
        }
        for (int o = 0; o < outputs.length; o++) sig.append(", ").append(CudaC.memType(types[outputs[o]])).append("* out").append(o);
        boolean strided = false;
        for (int j = 0; j < n; j++) {
            if (reads[j] == Read.PERIOD) sig.append(", long long p").append(j);
            strided |= reads[j] == Read.STRIDED;
        }
        if (strided) {
            sig.append(", I8 dims");
            for (int j = 0; j < n; j++) if (reads[j] == Read.STRIDED) sig.append(", I8 s").append(j);
        }
        StringBuilder b = new StringBuilder(CudaC.PRELUDE);
        b.append("extern \"C\" __global__ void ").append(name).append("(").append(sig).append(") {\n");
        b.append("  for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) blockDim.x * gridDim.x) {\n");
        for (int j = 0; j < n; j++) {
            String at = reads[j] == Read.FULL ? "i" : reads[j] == Read.PERIOD ? "i % p" + j : "jindex(i, dims, s" + j + ", " + rank + ")";
            String load = reads[j] == Read.ARG ? "in" + j : "in" + j + "[" + at + "]";
            if (inputs[j] == DType.BOOL && reads[j] != Read.ARG) load = "(" + load + " != 0)";
            b.append("    const ").append(CudaC.type(inputs[j])).append(" v").append(j).append(" = ").append(load).append(";\n");
        }
        for (int k = 0; k < steps.size(); k++) {
            Step s = steps.get(k);
            String[] args = new String[s.sources().length];
            DType[] argTypes = new DType[args.length];
            for (int a = 0; a < args.length; a++) {
                args[a] = "v" + s.sources()[a];
                argTypes[a] = types[s.sources()[a]];
            }
            b.append("    const ").append(CudaC.type(s.type())).append(" v").append(n + k).append(" = ")
                    .append(expression(s.op(), s.attrs(), args, argTypes, s.type())).append(";\n");
        }
        for (int o = 0; o < outputs.length; o++) {
            String v = "v" + outputs[o];
            if (types[outputs[o]] == DType.BOOL) v = "(jbool) (" + v + " ? 1 : 0)";
            b.append("    out").append(o).append("[i] = ").append(v).append(";\n");
        }
        b.append("  }\n}\n");
        return b.toString();
    }

    /** Whether the op has a CUDA expression (the elementwise op set of the graph compiler). */
    static boolean supports(Op op) {
        switch (op.name()) {
            case "neg": case "exp": case "log": case "sqrt": case "abs": case "sign": case "erf": case "relu":
            case "leaky_relu": case "elu": case "gelu": case "sigmoid": case "tanh": case "softplus": case "clip":
            case "add": case "sub": case "mul": case "div": case "pow": case "maximum": case "minimum":
            case "greater": case "equal": case "where": case "cast":
                return true;
            default:
                return false;
        }
    }

    /** The C expression of one op on argument values (named by {@code a}) of types {@code t}, giving {@code out}. */
    static String expression(Op op, Attrs attrs, String[] a, DType[] t, DType out) {
        String x = a[0], ty = CudaC.type(out);
        String dx = "(double) " + x;
        switch (op.name()) {
            case "neg": return "-" + x;
            case "exp": return round(out, "exp(" + dx + ")");
            case "log": return round(out, "log(" + dx + ")");
            case "sqrt": return round(out, "sqrt(" + dx + ")");
            case "abs": return "(" + ty + ") fabs(" + dx + ")";
            case "sign": return "(" + x + " > 0 ? (" + ty + ") 1 : (" + x + " < 0 ? (" + ty + ") -1 : " + x + "))";
            case "erf": return round(out, "erf(" + dx + ")");
            case "relu": return "(" + x + " != " + x + " ? " + x + " : (" + x + " > 0 ? " + x + " : (" + ty + ") 0))";
            case "leaky_relu": return "(" + x + " > 0 ? " + x + " : " + CudaC.literal(attrs.getDouble("alpha", 0.01), out) + " * " + x + ")";
            case "elu": return "(" + x + " > 0 ? " + x + " : " + round(out, CudaC.dbl(attrs.getDouble("alpha", 1.0)) + " * expm1(" + dx + ")") + ")";
            case "gelu":
                if (attrs.getString("approximate", "none").equals("tanh")) {
                    return round(out, "0.5 * " + dx + " * (1 + tanh(" + CudaC.dbl(Math.sqrt(2 / Math.PI)) + " * (" + dx + " + "
                            + CudaC.dbl(0.044715) + " * " + dx + " * " + dx + " * " + dx + ")))");
                }
                return round(out, dx + " * 0.5 * erfc(-" + dx + " * " + CudaC.dbl(1 / Math.sqrt(2)) + ")");
            case "sigmoid": return round(out, "1 / (1 + exp(-" + dx + "))");
            case "tanh": return round(out, "tanh(" + dx + ")");
            case "softplus": {
                String beta = CudaC.dbl(attrs.getDouble("beta", 1)), th = CudaC.dbl(attrs.getDouble("threshold", 20));
                return "(" + dx + " * " + beta + " > " + th + " ? " + x + " : " + round(out, "log1p(exp(" + dx + " * " + beta + ")) / " + beta) + ")";
            }
            case "clip":
                return "jmin(jmax(" + x + ", " + CudaC.literal(attrs.getDouble("min", Double.NEGATIVE_INFINITY), out) + "), "
                        + CudaC.literal(attrs.getDouble("max", Double.POSITIVE_INFINITY), out) + ")";
            case "add": return x + " + " + a[1];
            case "sub": return x + " - " + a[1];
            case "mul": return x + " * " + a[1];
            case "div": return x + " / " + a[1];
            case "pow": return round(out, "pow(" + dx + ", (double) " + a[1] + ")");
            case "maximum": return "jmax(" + x + ", " + a[1] + ")";
            case "minimum": return "jmin(" + x + ", " + a[1] + ")";
            case "greater": return x + " > " + a[1];
            case "equal": return x + " == " + a[1];
            case "where": return "(" + x + " ? " + a[1] + " : " + a[2] + ")";
            case "cast": return cast(x, t[0], out);
            default: throw new JanusException(op.name() + ": no CUDA expression for this op");
        }
    }

    // A double-precision result rounded to the element type (float32 as Java's (float) cast does).
    private static String round(DType out, String doubleExpr) {
        return out == DType.FLOAT64 ? doubleExpr : "(" + CudaC.type(out) + ") (" + doubleExpr + ")";
    }

    private static String cast(String x, DType from, DType to) {
        if (from == to) return x;
        if (to == DType.BOOL) return x + " != 0";
        if (from == DType.BOOL) return "(" + CudaC.type(to) + ") (" + x + " ? 1 : 0)";
        if (to == DType.INT64) return from == DType.INT64 ? x : "jtolong((double) " + x + ")";
        return "(" + CudaC.type(to) + ") " + x;
    }
}
