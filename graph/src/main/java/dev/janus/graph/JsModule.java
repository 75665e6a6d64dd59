package dev.janus.graph;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Node;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.ExecContext;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An inference graph compiled to a self-contained JavaScript module (ES2015 module syntax, no
 * library): the graph's parameters are frozen into constants, the compiler specialises it to a
 * batch size, optimises it (constant folding precomputes what depends on weights only, elementwise
 * chains fuse) and plans its buffers as for {@code predict}; then every node of that plan is
 * written out as loops with its shapes as literals, each into the typed array the plan gave its
 * buffer, a fused chain as one loop. The weights travel inside the module, base64 of their
 * little-endian bytes.
 *
 * <p>The module exports {@code predict(x)}: x holds n samples (any multiple of the sample size, as a
 * Float32Array or any array of numbers), the result a typed array of n outputs. It runs the plan on
 * {@link #batchSize()} samples at a time (the last group padded with zeros), so a model whose
 * outputs depend on other samples of its batch is refused unless its batch is fixed. Also exported:
 * {@code inputShape} and {@code outputShape} (one sample's), {@code batchSize}.
 *
 * <pre>{@code
 * String js = JsModule.generate(model.inferenceGraph(), 1).source();   // import { predict } from "./model.js"
 * }</pre>
 */
public final class JsModule {
    private final String source;
    private final TensorType input, output;
    private final int batchSize, weightBytes;

    private JsModule(String source, TensorType input, TensorType output, int batchSize, int weightBytes) {
        this.source = source;
        this.input = input;
        this.output = output;
        this.batchSize = batchSize;
        this.weightBytes = weightBytes;
    }

    /**
     * Compiles a graph of one input and one output, both with the batch first. A dynamic batch is
     * specialised to {@code batchSize}; a batch the graph fixes is kept. The other dimensions must be
     * known. An op without a JavaScript kernel is an error naming it.
     */
    public static JsModule generate(Graph graph, int batchSize) {
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw new JanusException("JavaScript export of graph " + graph.name() + ": expected one input and one output, got "
                    + graph.inputs().size() + " inputs and " + graph.outputs().size() + " outputs");
        }
        if (batchSize < 1) throw new JanusException("JavaScript export of graph " + graph.name() + ": the batch size must be positive, got " + batchSize);
        Value in = graph.inputs().get(0);
        Shape declared = in.type().shape();
        if (declared.rank() == 0) throw new JanusException("JavaScript export of graph " + graph.name() + ": input " + in + " is a scalar; it needs the batch first");
        for (int i = 1; i < declared.rank(); i++) {
            if (declared.dim(i) == Shape.DYNAMIC) {
                throw new JanusException("JavaScript export of graph " + graph.name() + ": input " + in + " is " + in.type()
                        + "; every dimension but the batch must be known");
            }
        }
        boolean dynamic = declared.dim(0) == Shape.DYNAMIC;
        int batch = dynamic ? batchSize : declared.dim(0);
        Map<Object, String> paramNames = new IdentityHashMap<>();
        for (Value p : graph.parameters()) paramNames.put(graph.parameterValue(p).storage(), p.name());
        Graph frozen = freeze(graph);
        Executable exe = new Executable(frozen, CompileOptions.defaults());
        if (dynamic) requireIndependentSamples(exe, graph.name(), in.type());
        Plan plan = exe.plan(List.of(declared.with(0, batch)));
        Shape outShape = plan.graph().outputs().get(0).type().shape();
        if (outShape.rank() == 0 || outShape.dim(0) != batch) {
            throw new JanusException("JavaScript export of graph " + graph.name() + ": the output is " + plan.graph().outputs().get(0).type()
                    + " for a batch of " + batch + "; it must have the batch first");
        }
        return new Builder(plan, paramNames).build(graph, batch);
    }

    /** The module's source: an ES module, or (inlined in a page) the body of a {@code <script type="module">}. */
    public String source() {
        return source;
    }

    /** One sample's input type (without the batch). */
    public TensorType inputType() {
        return input;
    }

    /** One sample's output type (without the batch). */
    public TensorType outputType() {
        return output;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Bytes of embedded weights (before base64). */
    public int weightBytes() {
        return weightBytes;
    }

    /** Parameters become constants holding the same tensors, so constant folding can work on them. */
    private static Graph freeze(Graph graph) {
        Rewriter r = new Rewriter(graph);
        for (Value p : graph.parameters()) r.map(p, r.target().constant(graph.parameterValue(p)));
        for (Node n : graph.nodes()) r.copy(n);
        return r.finish();
    }

    /**
     * predict runs the plan on groups of samples, so each sample's output must not depend on the
     * others: two random samples run together must give what each gives alone.
     */
    private static void requireIndependentSamples(Executable exe, String name, TensorType in) {
        Shape sample = in.shape().sub(1, in.shape().rank());
        Generator g = new Generator(20261207);
        Tensor both = Tensor.empty(in.dtype(), Shape.of(2).concat(sample));
        for (int i = 0; i < both.numel(); i++) both.setDouble(i, in.dtype().isFloating() ? g.nextFloat() * 2 - 1 : 0);
        ExecContext ctx = new ExecContext(new Generator(0));
        Tensor together = exe.run(ctx, both).get(0).copy();
        if (together.rank() == 0 || together.dim(0) != 2) {
            throw new JanusException("JavaScript export of graph " + name + ": the output for a batch of 2 is " + together.type() + "; it must have the batch first");
        }
        int n = sample.size(), m = together.numel() / 2;
        double worst = 0, scale = 0;
        for (int s = 0; s < 2; s++) {
            Tensor one = Tensor.empty(in.dtype(), Shape.of(1).concat(sample));
            for (int i = 0; i < n; i++) one.setDouble(i, both.readDouble(s * n + i));
            Tensor alone = exe.run(ctx, one).get(0);
            for (int i = 0; i < m; i++) {
                worst = Math.max(worst, Math.abs(alone.readDouble(i) - together.readDouble(s * m + i)));
                scale = Math.max(scale, Math.abs(together.readDouble(s * m + i)));
            }
        }
        if (!(worst <= 1e-4 * Math.max(scale, 1e-30))) {
            throw new JanusException(String.format(Locale.ROOT, "JavaScript export of graph %s: the output for a sample depends on the other "
                    + "samples of its batch (alone and in a batch of 2 they differ by %.3g); export it with a fixed batch size", name, worst));
        }
    }

    /** Names the plan's buffers, writes each node's kernel and puts the module together. */
    static final class Builder {
        private final Plan plan;
        private final Map<Object, String> paramNames;
        private final Map<Object, String> names = new IdentityHashMap<>();
        private final Map<Object, Tensor> constantOf = new IdentityHashMap<>();
        private final JsCode declarations = new JsCode();
        private final ByteArrayOutputStream weights = new ByteArrayOutputStream();
        private final JsHelpers helpers = new JsHelpers();
        private final List<String> allocations = new ArrayList<>();
        private int counter;

        Builder(Plan plan, Map<Object, String> paramNames) {
            this.plan = plan;
            this.paramNames = paramNames;
            for (Value c : plan.graph().constants()) constantOf.put(plan.graph().constantValue(c).storage(), plan.graph().constantValue(c));
        }

        Tensor constantValue(Value v) {
            return plan.graph().constantValue(v);
        }

        JsHelpers helpers() {
            return helpers;
        }

        /** The array of a plan buffer: a constant embedded on first use, or an array allocated once. */
        String name(Tensor t) {
            Object storage = t.storage();
            String n = names.get(storage);
            if (n != null) return n;
            Tensor c = constantOf.get(storage);
            if (c != null) {
                n = addConstant(c, describe(t));
            } else {
                n = "b" + (++counter);
                allocations.add("const " + n + " = new " + JsCode.arrayType(t.dtype()) + "(" + t.numel() + ");");
            }
            names.put(storage, n);
            return n;
        }

        /** A frozen parameter's name, or "constant" for a folded or literal one. */
        String describe(Tensor t) {
            return paramNames.getOrDefault(t.storage(), "constant");
        }

        String addConstant(Tensor value, String what) {
            int size = value.numel(), bytes = value.dtype() == DType.BOOL ? 1 : value.dtype() == DType.FLOAT32 ? 4 : 8;
            while (weights.size() % 8 != 0) weights.write(0);
            int offset = weights.size();
            for (int i = 0; i < size; i++) {
                double v = value.readDouble(i);
                if (value.dtype() == DType.INT64 && Math.abs(v) > 9007199254740992.0) {
                    throw new JanusException("JavaScript export: the int64 constant " + what + " holds " + (long) v
                            + ", which a JavaScript number cannot hold exactly");
                }
                long bits = bytes == 4 ? Float.floatToRawIntBits((float) v) & 0xffffffffL : bytes == 8 ? Double.doubleToRawLongBits(v) : (v != 0 ? 1 : 0);
                for (int b = 0; b < bytes; b++) weights.write((int) (bits >>> (8 * b)));
            }
            String n = "c" + (++counter);
            declarations.line("const " + n + " = new " + JsCode.arrayType(value.dtype()) + "(WEIGHTS, " + offset + ", " + size + ");   // "
                    + what.replace("\n", " ") + " " + value.shape());
            return n;
        }

        String scratch(DType type, int size) {
            String n = "s" + (++counter);
            allocations.add("const " + n + " = new " + JsCode.arrayType(type) + "(" + Math.max(1, size) + ");");
            return n;
        }

        /** {@code source}: the graph as given, for the module's header. */
        JsModule build(Graph source, int batch) {
            Graph g = plan.graph();
            Set<Value> used = new HashSet<>(g.outputs());
            for (Node n : g.nodes()) used.addAll(n.inputs());
            String inputName = name(plan.input(0));
            JsCode steps = new JsCode(), run = new JsCode().open("function run()");
            List<Node> nodes = g.nodes();
            for (int k = 0; k < nodes.size(); k++) {
                Node node = nodes.get(k);
                JsStep step = new JsStep(node, plan.nodeInputs(k), plan.nodeOutputs(k), used, this);
                JsKernels.emit(step);
                steps.line("// " + node.toString().replace("\n", " "));
                steps.open("function step" + k + "(" + step.parameters() + ")").append(step.code).close().line("");
                run.line("step" + k + "(" + step.arguments() + ");");
            }
            run.close();
            String outputName = name(plan.outputs().get(0));

            TensorType inType = g.inputs().get(0).type(), outType = g.outputs().get(0).type();
            Shape sample = inType.shape().sub(1, inType.rank()), outSample = outType.shape().sub(1, outType.rank());
            String b64 = Base64.getEncoder().encodeToString(weights.toByteArray());
            JsCode m = new JsCode();
            Value declared = source.inputs().get(0);
            m.line("// Generated by Janus from graph \"" + source.name() + "\" (input " + declared.name() + ": " + declared.type()
                    + "), compiled for a batch of " + batch + ".");
            m.line("// Plain JavaScript, no library: predict(x) takes n samples of " + sample + " as one flat array, returns n outputs of "
                    + outSample + ".");
            m.line("const WEIGHTS = (s => {");
            m.line("  const b = atob(s), u = new Uint8Array(b.length);");
            m.line("  for (let i = 0; i < b.length; i++) u[i] = b.charCodeAt(i);");
            m.line("  return u.buffer;");
            m.line("})(\"" + b64 + "\");");
            m.append(declarations);
            for (String a : allocations) m.line(a);
            m.line("");
            String helperSource = helpers.source();
            if (!helperSource.isEmpty()) m.append(new JsCode().line(helperSource.strip())).line("");
            m.append(steps).append(run).line("");
            int in = sample.size(), out = outSample.size();
            m.line("export const inputShape = " + JsCode.ints(sample.dims()) + ", outputShape = " + JsCode.ints(outSample.dims())
                    + ", batchSize = " + batch + ";");
            m.line("");
            m.line("/** Runs the model on n samples (x: n * " + in + " numbers, sample by sample); returns n * " + out + " numbers. */");
            m.open("export function predict(x)");
            m.line("const n = x.length / " + in + ";");
            m.open("if (!(n >= 1 && Number.isInteger(n)))");
            m.line("throw new RangeError(\"predict: expected n samples of " + sample + " (a multiple of " + in + " numbers), got \" + x.length);");
            m.close();
            m.line("const y = new " + JsCode.arrayType(outType.dtype()) + "(n * " + out + ");");
            m.open("for (let s = 0; s < n; s += " + batch + ")");
            m.line("const k = Math.min(" + batch + ", n - s);");
            m.line("if (k < " + batch + ") " + inputName + ".fill(0);");
            m.line("for (let i = 0; i < k * " + in + "; i++) " + inputName + "[i] = x[s * " + in + " + i];");
            m.line("run();");
            m.line("y.set(" + outputName + ".subarray(0, k * " + out + "), s * " + out + ");");
            m.close();
            m.line("return y;");
            m.close();
            return new JsModule(m.toString(), new TensorType(inType.dtype(), sample), new TensorType(outType.dtype(), outSample), batch, weights.size());
        }
    }
}
