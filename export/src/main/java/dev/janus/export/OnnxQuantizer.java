package dev.janus.export;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.data.TensorDataset;
import dev.janus.core.io.AtomicFile;
import dev.janus.core.io.FileBytes;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Interpreter;
import dev.janus.core.onnx.OnnxException;
import dev.janus.core.onnx.OnnxTypes;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.quant.Calibrator;
import dev.janus.core.quant.QuantParams;
import dev.janus.export.proto.Onnx.AttributeProto;
import dev.janus.export.proto.Onnx.GraphProto;
import dev.janus.export.proto.Onnx.ModelProto;
import dev.janus.export.proto.Onnx.NodeProto;
import dev.janus.export.proto.Onnx.OperatorSetIdProto;
import dev.janus.export.proto.Onnx.TensorProto;
import dev.janus.export.proto.Onnx.ValueInfoProto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes an int8 ONNX model of a float one, as onnxruntime.quantization does: whatever wrote the
 * model (either Janus front end, PyTorch, an imported file), its Conv, MatMul and Gemm nodes with
 * float weights become quantized (see {@link QuantizeOptions} for the forms), and its LSTM and GRU
 * weights int8. Static quantization runs the float model in Janus on the calibration samples to find
 * each activation's range. Other nodes stay as they are, in float.
 *
 * <pre>{@code
 * OnnxQuantizer.quantize(Path.of("model.onnx"), Path.of("model.int8.onnx"),
 *         QuantizeOptions.staticQuantization(xCalibration).calibration(Calibrator.entropy()));
 * }</pre>
 */
public final class OnnxQuantizer {
    private static final int UINT8 = 2, INT8 = 3, INT32 = 6;
    /** Per-axis QuantizeLinear and DequantizeLinear need opset 13. */
    static final int MIN_OPSET = 13;

    private OnnxQuantizer() {
    }

    /** Reads {@code in}, writes the quantized model to {@code out} (atomically); returns {@code out}. */
    public static Path quantize(Path in, Path out, QuantizeOptions options) {
        ModelProto model;
        try (FileBytes bytes = FileBytes.open(in)) {
            model = ModelProto.parseFrom(bytes.slice(0, (int) Math.min(bytes.size(), Integer.MAX_VALUE)));
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxException(in + ": not an ONNX model, or a truncated or corrupt one: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new OnnxException("cannot read " + in + ": " + e, e);
        }
        ModelProto q;
        try {
            q = quantize(model, in.toAbsolutePath().getParent(), options);
        } catch (OnnxException e) {
            throw new OnnxException(in + ": " + e.getMessage(), e);
        }
        AtomicFile.write(out, q.toByteArray(), "quantized ONNX model");
        return out;
    }

    public static byte[] quantize(byte[] model, QuantizeOptions options) {
        try {
            return quantize(ModelProto.parseFrom(model), null, options).toByteArray();
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxException("not an ONNX model, or a truncated or corrupt one: " + e.getMessage(), e);
        }
    }

    public static ModelProto quantize(ModelProto model, QuantizeOptions options) {
        return quantize(model, null, options);
    }

    /** {@code baseDir}: the model's folder, where external data is read from (null: none). */
    static ModelProto quantize(ModelProto model, Path baseDir, QuantizeOptions options) {
        long opset = -1;
        for (OperatorSetIdProto o : model.getOpsetImportList()) if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) opset = o.getVersion();
        if (opset < MIN_OPSET) {
            throw new OnnxException("quantization writes per-channel QuantizeLinear/DequantizeLinear, which need opset " + MIN_OPSET
                    + " or newer; this model has opset " + opset + " (export it again at a newer opset)");
        }
        Rewrite r = new Rewrite(model, baseDir, options);
        return model.toBuilder().setGraph(r.run()).build();
    }

    /** One node to quantize: its kind and where its weight is. */
    private static final class Target {
        final NodeProto node;
        final String kind;          // "Conv", "MatMul", "Gemm", "LSTM", "GRU"
        final boolean transB;

        Target(NodeProto node, String kind, boolean transB) {
            this.node = node;
            this.kind = kind;
            this.transB = transB;
        }

        boolean recurrent() {
            return kind.equals("LSTM") || kind.equals("GRU");
        }

        String x() {
            return node.getInput(0);
        }

        String y() {
            return node.getOutput(0);
        }

        /** The axis of the weight along which each output has its own scale. */
        int weightAxis() {
            switch (kind) {
                case "Conv": return 0;
                case "Gemm": return transB ? 0 : 1;
                case "MatMul": return 1;
                default: return 1;   // LSTM/GRU [directions, gates x hidden, in]
            }
        }
    }

    /** A weight quantized per channel: int8 values, one scale per channel. */
    private static final class QWeight {
        final byte[] data;
        final float[] scales;
        final int[] dims;

        QWeight(byte[] data, float[] scales, int[] dims) {
            this.data = data;
            this.scales = scales;
            this.dims = dims;
        }
    }

    private static final class Rewrite {
        private final ModelProto model;
        private GraphProto g;
        private final Path baseDir;
        private final QuantizeOptions options;
        private final Map<String, TensorProto> inits = new HashMap<>();
        private final Set<String> names = new HashSet<>();
        private final List<NodeProto> nodes = new ArrayList<>();
        private final List<TensorProto> added = new ArrayList<>();
        private String weightZero;
        private final Map<String, QuantParams> activations = new HashMap<>();
        /** Quantized versions of float tensors (QOperator form), and their Q/DQ'd twins (QDQ form on graph inputs). */
        private final Map<String, String> quantized = new HashMap<>(), renamed = new HashMap<>();
        private final Map<String, String[]> dynamic = new HashMap<>(), scaleNames = new HashMap<>();
        private final Map<String, QWeight> weights = new HashMap<>();

        Rewrite(ModelProto model, Path baseDir, QuantizeOptions options) {
            this.model = model;
            this.g = model.getGraph();
            this.baseDir = baseDir;
            this.options = options;
            for (TensorProto t : g.getInitializerList()) inits.put(t.getName(), t);
            for (ValueInfoProto v : g.getInputList()) names.add(v.getName());
            for (ValueInfoProto v : g.getOutputList()) names.add(v.getName());
            names.addAll(inits.keySet());
            for (NodeProto n : g.getNodeList()) {
                names.addAll(n.getOutputList());
                names.addAll(n.getInputList());
            }
        }

        GraphProto run() {
            foldConstants();
            if (options.isStatic() && options.format() == QuantizeOptions.Format.QOPERATOR) splitGemms();
            Map<NodeProto, Target> targets = new LinkedHashMap<>();
            for (NodeProto n : g.getNodeList()) {
                Target t = target(n);
                if (t != null) targets.put(n, t);
            }
            if (targets.isEmpty()) throw new OnnxException("the model has no Conv, MatMul, Gemm, LSTM or GRU node with float weights to quantize");
            if (options.isStatic()) calibrate(targets.values());
            boolean qdq = options.isStatic() && options.format() == QuantizeOptions.Format.QDQ;
            if (qdq) for (ValueInfoProto in : g.getInputList()) if (activations.containsKey(in.getName())) qdqInput(in.getName());
            for (NodeProto n : g.getNodeList()) {
                Target t = targets.get(n);
                if (t != null && t.recurrent()) {
                    recurrent(t);
                    if (qdq) for (String out : n.getOutputList()) if (activations.containsKey(out)) qdqOutput(out, nodes.size() - 1);
                } else if (t != null && qdq) qdqNode(t);
                else if (t != null && options.isStatic()) qoperator(t);
                else if (t != null) dynamicNode(t);
                else {
                    nodes.add(rename(n));
                    if (qdq) for (String out : n.getOutputList()) if (activations.containsKey(out)) qdqOutput(out, nodes.size() - 1);
                }
            }
            Set<String> used = new HashSet<>();
            for (NodeProto n : nodes) used.addAll(n.getInputList());
            for (ValueInfoProto o : g.getOutputList()) used.add(o.getName());
            GraphProto.Builder b = g.toBuilder().clearNode().addAllNode(nodes).clearInitializer().clearValueInfo();
            for (TensorProto t : g.getInitializerList()) if (used.contains(t.getName())) b.addInitializer(t);
            for (TensorProto t : added) if (used.contains(t.getName())) b.addInitializer(t);
            // Old models list initializers among the inputs: those now dropped leave the input list too.
            b.clearInput();
            for (ValueInfoProto in : g.getInputList()) if (!inits.containsKey(in.getName()) || used.contains(in.getName())) b.addInput(in);
            return b.build();
        }

        // ------------------------------------------------------------ constant folding

        /**
         * Computes now every node whose inputs are all initializers (Janus's Keras layers transpose and
         * reorder their kernels in the graph), so that weights are initializers the quantizer sees.
         * Each node runs through Janus's own import of that op.
         */
        private void foldConstants() {
            List<NodeProto> kept = new ArrayList<>();
            List<TensorProto> folded = new ArrayList<>();
            ExecContext ctx = new ExecContext(new Generator(0));
            for (NodeProto n : g.getNodeList()) {
                boolean constant = (n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx")) && !n.getOpType().startsWith("Random")
                        && !n.getOpType().equals("Multinomial") && !n.getOpType().equals("Bernoulli")
                        && (n.getInputCount() > 0 || n.getOpType().equals("Constant"));
                for (String in : n.getInputList()) constant &= in.isEmpty() || inits.containsKey(in);
                if (!constant) {
                    kept.add(n);
                    continue;
                }
                GraphProto.Builder one = GraphProto.newBuilder().setName("fold").addNode(n);
                for (String in : new java.util.LinkedHashSet<>(n.getInputList())) if (!in.isEmpty()) one.addInitializer(inits.get(in));
                for (String out : n.getOutputList()) if (!out.isEmpty()) one.addOutput(ValueInfoProto.newBuilder().setName(out));
                List<Tensor> values = Interpreter.run(OnnxImporter.read(model.toBuilder().setGraph(one).build(), baseDir, ImportOptions.defaults()),
                        List.of(), ctx);
                int k = 0;
                for (String out : n.getOutputList()) {
                    if (out.isEmpty()) continue;
                    TensorProto t = OnnxTensors.write(values.get(k++), out);
                    inits.put(out, t);
                    folded.add(t);
                }
            }
            if (!folded.isEmpty()) g = g.toBuilder().clearNode().addAllNode(kept).addAllInitializer(folded).build();
        }

        /**
         * QOperator form: each Gemm with a bias becomes MatMul then Add (its weight transposed to [in, out]
         * where transB), so that calibration sees the product before the bias, the value QLinearMatMul
         * writes (standard ONNX has no quantized Gemm; the bias is added after it, in float).
         */
        private void splitGemms() {
            List<NodeProto> out = new ArrayList<>();
            List<TensorProto> transposed = new ArrayList<>();
            for (NodeProto n : g.getNodeList()) {
                Target t = target(n);
                if (t == null || !t.kind.equals("Gemm") || n.getInputCount() < 3 || n.getInput(2).isEmpty()) {
                    out.add(n);
                    continue;
                }
                String w = n.getInput(1);
                if (t.transB) {
                    Tensor kn = OnnxTensors.read(inits.get(w), "initializer '" + w + "'", baseDir);
                    int rows = kn.dim(0), cols = kn.dim(1);
                    float[] v = kn.toFloatArray(), tv = new float[v.length];
                    for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) tv[c * rows + r] = v[r * cols + c];
                    TensorProto tp = OnnxTensors.write(Tensor.of(tv, cols, rows), fresh(w + "_transposed"));
                    inits.put(tp.getName(), tp);
                    transposed.add(tp);
                    w = tp.getName();
                }
                String product = fresh(n.getOutput(0) + "_matmul");
                out.add(NodeProto.newBuilder().setOpType("MatMul").setName(n.getName()).addInput(n.getInput(0)).addInput(w).addOutput(product).build());
                out.add(NodeProto.newBuilder().setOpType("Add").addInput(product).addInput(n.getInput(2)).addOutput(n.getOutput(0)).build());
            }
            g = g.toBuilder().clearNode().addAllNode(out).addAllInitializer(transposed).build();
        }

        // ------------------------------------------------------------ what is quantized

        private Target target(NodeProto n) {
            if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) return null;
            switch (n.getOpType()) {
                case "Conv":
                case "MatMul":
                    return n.getInputCount() >= 2 && isFloatWeight(n.getInput(1)) ? new Target(n, n.getOpType(), false) : null;
                case "Gemm":
                    if (n.getInputCount() < 2 || !isFloatWeight(n.getInput(1)) || intAttr(n, "transA", 0) != 0
                            || floatAttr(n, "alpha", 1) != 1 || floatAttr(n, "beta", 1) != 1) return null;
                    if (n.getInputCount() > 2 && !n.getInput(2).isEmpty() && !inits.containsKey(n.getInput(2))) return null;
                    return new Target(n, "Gemm", intAttr(n, "transB", 0) != 0);
                case "LSTM":
                case "GRU":
                    return isFloatWeight(n.getInput(1)) && isFloatWeight(n.getInput(2)) ? new Target(n, n.getOpType(), false) : null;
                default:
                    return null;
            }
        }

        private boolean isFloatWeight(String name) {
            TensorProto t = inits.get(name);
            return t != null && t.getDataType() == OnnxTypes.FLOAT && t.getDimsCount() >= 2;
        }

        private static long intAttr(NodeProto n, String name, long fallback) {
            for (AttributeProto a : n.getAttributeList()) if (a.getName().equals(name)) return a.getI();
            return fallback;
        }

        private static float floatAttr(NodeProto n, String name, float fallback) {
            for (AttributeProto a : n.getAttributeList()) if (a.getName().equals(name)) return a.getF();
            return fallback;
        }

        // ------------------------------------------------------------ calibration

        /** Runs the float model in Janus on the calibration samples, watching each quantized node's input and output. */
        private void calibrate(Iterable<Target> targets) {
            List<String> watched = new ArrayList<>();
            for (Target t : targets) {
                if (t.recurrent()) continue;
                if (!watched.contains(t.x())) watched.add(t.x());
                if (!watched.contains(t.y())) watched.add(t.y());
            }
            if (watched.isEmpty()) return;
            GraphProto.Builder aug = g.toBuilder();
            Set<String> outs = new HashSet<>();
            for (ValueInfoProto o : g.getOutputList()) outs.add(o.getName());
            for (String w : watched) if (!outs.contains(w)) aug.addOutput(ValueInfoProto.newBuilder().setName(w));
            Graph graph = OnnxImporter.read(model.toBuilder().setGraph(aug).build(), baseDir, ImportOptions.defaults().trainable(false));
            List<String> outputNames = new ArrayList<>();
            for (ValueInfoProto o : aug.getOutputList()) outputNames.add(o.getName());
            List<Tensor> data = options.calibrationData();
            if (data.size() != graph.inputs().size()) {
                throw new OnnxException("the model takes " + graph.inputs().size() + " inputs, but calibration data were given for " + data.size());
            }
            int n = data.get(0).dim(0);
            for (Tensor t : data) {
                if (t.dim(0) != n) throw new OnnxException("the calibration tensors hold different numbers of samples: " + n + " and " + t.dim(0));
            }
            Map<String, Calibrator> calibrators = new LinkedHashMap<>();
            for (String w : watched) calibrators.put(w, options.calibrator().fresh());
            TensorDataset samples = new TensorDataset(data.toArray(new Tensor[0]));
            ExecContext ctx = new ExecContext(new Generator(0));
            for (int from = 0; from < n; from += options.batchSize()) {
                int[] idx = new int[Math.min(options.batchSize(), n - from)];
                for (int i = 0; i < idx.length; i++) idx[i] = from + i;
                List<Tensor> results;
                try {
                    results = Interpreter.run(graph, List.of(samples.batch(idx)), ctx);
                } catch (JanusException e) {
                    throw new OnnxException("running the float model on the calibration data failed: " + e.getMessage(), e);
                }
                for (Map.Entry<String, Calibrator> e : calibrators.entrySet()) e.getValue().observe(results.get(outputNames.indexOf(e.getKey())));
            }
            for (Map.Entry<String, Calibrator> e : calibrators.entrySet()) {
                double[] r = e.getValue().range();
                activations.put(e.getKey(), options.int8Activations() ? QuantParams.int8(r[0], r[1]) : QuantParams.uint8(r[0], r[1]));
            }
        }

        // ------------------------------------------------------------ QDQ form

        /** A graph input: QuantizeLinear and DequantizeLinear first thing; its readers read the result. */
        private void qdqInput(String name) {
            String dq = fresh(name + "_dequantized");
            qdqPair(name, dq, name);
            renamed.put(name, dq);
        }

        /**
         * A node output: the node writes it under another name, and QuantizeLinear/DequantizeLinear
         * write it under its own, so every reader (a graph output too) reads the dequantized value.
         */
        private void qdqOutput(String name, int nodeIndex) {
            String raw = fresh(name + "_float");
            NodeProto n = nodes.get(nodeIndex);
            NodeProto.Builder b = n.toBuilder().clearOutput();
            for (String o : n.getOutputList()) b.addOutput(o.equals(name) ? raw : o);
            nodes.set(nodeIndex, b.build());
            qdqPair(raw, name, name);
        }

        /** QuantizeLinear then DequantizeLinear, from {@code from} to {@code to}, with the parameters of the activation {@code tensor}. */
        private void qdqPair(String from, String to, String tensor) {
            String[] sz = qparams(tensor);
            String q = fresh(from + "_quantized");
            node("QuantizeLinear", List.of(from, sz[0], sz[1]), List.of(q));
            node("DequantizeLinear", List.of(q, sz[0], sz[1]), List.of(to));
        }

        /** The scale and zero point initializers of a calibrated activation, written once. */
        private String[] qparams(String tensor) {
            QuantParams p = activations.get(tensor);
            return scaleNames.computeIfAbsent(tensor, k -> new String[] {scalarFloat(k + "_scale", (float) p.scale()), zeroPoint(k + "_zero_point", p)});
        }

        /** A Conv, MatMul or Gemm between DequantizeLinear of its input and weights and QuantizeLinear of its output. */
        private void qdqNode(Target t) {
            QuantParams px = activations.get(t.x());
            QWeight w = weight(t);
            // Symmetric weights: the zero point is 0, DequantizeLinear's default, so none is stored.
            String ws = floats(t.node.getInput(1) + "_scale", w.scales);
            String wq = int8(t.node.getInput(1) + "_quantized", w.data, w.dims), wdq = fresh(t.node.getInput(1) + "_dequantized");
            node("DequantizeLinear", List.of(wq, ws), List.of(wdq), "axis", t.weightAxis());
            NodeProto.Builder b = rename(t.node).toBuilder();
            b.setInput(1, wdq);
            String bias = t.node.getInputCount() > 2 && !t.node.getInput(2).isEmpty() ? t.node.getInput(2) : null;
            if (bias != null) {
                // The bias as int32 on the scale input scale x weight scale, zero point 0, as onnxruntime writes it.
                int[] bq = bias(bias, px, w);
                float[] bs = biasScales(px, w);
                String bdq = fresh(bias + "_dequantized");
                node("DequantizeLinear", List.of(int32(bias + "_quantized", bq), floats(bias + "_scale", bs)), List.of(bdq), "axis", 0);
                b.setInput(2, bdq);
            }
            nodes.add(b.build());
            qdqOutput(t.y(), nodes.size() - 1);
        }

        // ------------------------------------------------------------ QOperator form

        /** QuantizeLinear of x (once per tensor), the quantized op, DequantizeLinear of its output. */
        private void qoperator(Target t) {
            QuantParams px = activations.get(t.x());
            String xq = quantizedInput(t.x());
            QWeight w = weight(t);
            String xs = qparams(t.x())[0], xz = qparams(t.x())[1], ys = qparams(t.y())[0], yz = qparams(t.y())[1];
            // QLinearConv and QLinearMatMul take the weights' zero point as an input: one int8 0 serves every weight.
            String ws = floats(t.node.getInput(1) + "_scale", w.scales), wz = weightZero();
            String yq = fresh(t.y() + "_quantized");
            if (t.kind.equals("Conv")) {
                String bias = t.node.getInputCount() > 2 && !t.node.getInput(2).isEmpty() ? t.node.getInput(2) : null;
                List<String> in = new ArrayList<>(List.of(xq, xs, xz, int8(t.node.getInput(1) + "_quantized", w.data, w.dims), ws, wz, ys, yz));
                if (bias != null) in.add(int32(bias + "_quantized", bias(bias, px, w)));
                nodes.add(NodeProto.newBuilder().setOpType("QLinearConv").addAllInput(in)
                        .addOutput(yq).addAllAttribute(t.node.getAttributeList()).build());
                node("DequantizeLinear", List.of(yq, ys, yz), List.of(t.y()));
                return;
            }
            // MatMul and a Gemm without bias (splitGemms made the others MatMul and Add): QLinearMatMul with the weight as [in, out].
            QWeight kn = t.transB ? transposed(w) : w;
            node("QLinearMatMul", List.of(xq, xs, xz, int8(t.node.getInput(1) + "_quantized", kn.data, kn.dims), ws, wz, ys, yz), List.of(yq));
            node("DequantizeLinear", List.of(yq, ys, yz), List.of(t.y()));
        }

        private String quantizedInput(String x) {
            String known = quantized.get(x);
            if (known != null) return known;
            String q = fresh(x + "_quantized");
            node("QuantizeLinear", List.of(renamed(x), qparams(x)[0], qparams(x)[1]), List.of(q));
            quantized.put(x, q);
            return q;
        }

        // ------------------------------------------------------------ dynamic

        /**
         * DynamicQuantizeLinear of x (uint8, its scale and zero point found per run), MatMulInteger or
         * ConvInteger into int32, then back to float: times x's scale and each output's weight scale,
         * plus the bias.
         */
        private void dynamicNode(Target t) {
            String[] xq = dynamic.get(t.x());
            if (xq == null) {
                xq = new String[] {fresh(t.x() + "_quantized"), fresh(t.x() + "_scale"), fresh(t.x() + "_zero_point")};
                node("DynamicQuantizeLinear", List.of(renamed(t.x())), List.of(xq));
                dynamic.put(t.x(), xq);
            }
            QWeight w = weight(t);
            String bias = t.node.getInputCount() > 2 && !t.node.getInput(2).isEmpty() ? t.node.getInput(2) : null;
            String acc = fresh(t.y() + "_int32"), wz = weightZero();
            float[] scales = w.scales;
            String scaleShape;
            if (t.kind.equals("Conv")) {
                nodes.add(NodeProto.newBuilder().setOpType("ConvInteger")
                        .addAllInput(List.of(xq[0], int8(t.node.getInput(1) + "_quantized", w.data, w.dims), xq[2], wz)).addOutput(acc)
                        .addAllAttribute(t.node.getAttributeList()).build());
                scaleShape = "conv";
            } else {
                QWeight kn = t.transB ? transposed(w) : w;
                node("MatMulInteger", List.of(xq[0], int8(t.node.getInput(1) + "_quantized", kn.data, kn.dims), xq[2], wz), List.of(acc));
                scaleShape = "matmul";
            }
            String f = fresh(t.y() + "_int32_float");
            node("Cast", List.of(acc), List.of(f), "to", OnnxTypes.FLOAT);
            String ws = scaleShape.equals("conv") ? floats(t.node.getInput(1) + "_scale", scales, scales.length, 1, 1) : floats(t.node.getInput(1) + "_scale", scales);
            String scale = fresh(t.y() + "_scale");
            node("Mul", List.of(xq[1], ws), List.of(scale));
            String y = bias != null ? fresh(t.y() + "_unbiased") : t.y();
            node("Mul", List.of(f, scale), List.of(y));
            if (bias != null) {
                String b = renamed(bias);
                if (scaleShape.equals("conv")) {
                    String shaped = fresh(bias + "_shaped");
                    node("Reshape", List.of(b, int64s(bias + "_shape", 1, -1, 1, 1)), List.of(shaped));
                    b = shaped;
                }
                node("Add", List.of(y, b), List.of(t.y()));
            }
        }

        /** LSTM and GRU: W and R stored int8 per gate row, DequantizeLinear'd into the float op (ONNX has no integer recurrent op). */
        private void recurrent(Target t) {
            NodeProto.Builder b = rename(t.node).toBuilder();
            for (int i = 1; i <= 2; i++) {
                String name = t.node.getInput(i);
                QWeight w = quantizeWeight(name, 1);
                String dq = fresh(name + "_dequantized");
                node("DequantizeLinear", List.of(int8(name + "_quantized", w.data, w.dims), floats(name + "_scale", w.scales)), List.of(dq), "axis", 1);
                b.setInput(i, dq);
            }
            nodes.add(b.build());
        }

        // ------------------------------------------------------------ weights and biases

        private QWeight weight(Target t) {
            return quantizeWeight(t.node.getInput(1), t.weightAxis());
        }

        /** Symmetric int8 on [-127, 127], one scale per slice along {@code axis}. */
        private QWeight quantizeWeight(String name, int axis) {
            QWeight known = weights.get(name + "@" + axis);
            if (known != null) return known;
            Tensor w = OnnxTensors.read(inits.get(name), "initializer '" + name + "'", baseDir);
            int[] dims = w.shape().dims();
            int channels = dims[axis], inner = 1;
            for (int d = axis + 1; d < dims.length; d++) inner *= dims[d];
            float[] v = w.toFloatArray();
            double[] absMax = new double[channels];
            for (int i = 0; i < v.length; i++) {
                int c = (i / inner) % channels;
                absMax[c] = Math.max(absMax[c], Math.abs(v[i]));
            }
            QuantParams[] p = new QuantParams[channels];
            float[] scales = new float[channels];
            for (int c = 0; c < channels; c++) {
                p[c] = QuantParams.symmetricWeight(absMax[c]);
                scales[c] = (float) p[c].scale();
            }
            byte[] q = new byte[v.length];
            for (int i = 0; i < v.length; i++) q[i] = (byte) p[(i / inner) % channels].quantize(v[i]);
            QWeight qw = new QWeight(q, scales, dims);
            weights.put(name + "@" + axis, qw);
            return qw;
        }

        /** A [out, in] weight (quantized along axis 0) as [in, out], whose scales then run along axis 1. */
        private static QWeight transposed(QWeight w) {
            int rows = w.dims[0], cols = w.dims[1];
            byte[] t = new byte[w.data.length];
            for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = w.data[r * cols + c];
            return new QWeight(t, w.scales, new int[] {cols, rows});
        }

        private static float[] biasScales(QuantParams px, QWeight w) {
            float[] s = new float[w.scales.length];
            for (int c = 0; c < s.length; c++) s[c] = (float) px.scale() * w.scales[c];
            return s;
        }

        /** round(b / (input scale x weight scale)) per output, in int32. */
        private int[] bias(String name, QuantParams px, QWeight w) {
            float[] b = OnnxTensors.read(inits.get(name), "initializer '" + name + "'", baseDir).toFloatArray();
            float[] s = biasScales(px, w);
            if (b.length != s.length) throw new OnnxException("bias '" + name + "' has " + b.length + " values for " + s.length + " outputs");
            int[] q = new int[b.length];
            for (int c = 0; c < b.length; c++) q[c] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Math.rint(b[c] / s[c])));
            return q;
        }

        // ------------------------------------------------------------ writing

        private NodeProto rename(NodeProto n) {
            if (renamed.isEmpty()) return n;
            NodeProto.Builder b = n.toBuilder().clearInput();
            for (String in : n.getInputList()) b.addInput(renamed(in));
            return b.build();
        }

        private String renamed(String name) {
            return renamed.getOrDefault(name, name);
        }

        private void node(String op, List<String> in, List<String> out, Object... attrs) {
            NodeProto.Builder b = NodeProto.newBuilder().setOpType(op).addAllInput(in).addAllOutput(out);
            for (int i = 0; i < attrs.length; i += 2) {
                b.addAttribute(AttributeProto.newBuilder().setName((String) attrs[i]).setType(AttributeProto.AttributeType.INT)
                        .setI(((Number) attrs[i + 1]).longValue()));
            }
            nodes.add(b.build());
        }

        private String fresh(String preferred) {
            String name = preferred;
            for (int k = 1; !names.add(name); k++) name = preferred + "_" + k;
            return name;
        }

        private String initializer(String preferred, int type, byte[] raw, int... dims) {
            String name = fresh(preferred);
            TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type).setRawData(ByteString.copyFrom(raw));
            for (int d : dims) t.addDims(d);
            added.add(t.build());
            return name;
        }

        private String int8(String name, byte[] data, int[] dims) {
            return initializer(name, INT8, data, dims);
        }

        private String int32(String name, int[] values) {
            ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            for (int v : values) b.putInt(v);
            return initializer(name, INT32, b.array(), values.length);
        }

        private String floats(String name, float[] values, int... dims) {
            ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) b.putFloat(v);
            return initializer(name, OnnxTypes.FLOAT, b.array(), dims.length == 0 ? new int[] {values.length} : dims);
        }

        private String scalarFloat(String name, float value) {
            return initializer(name, OnnxTypes.FLOAT, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value).array());
        }

        private String zeroPoint(String name, QuantParams p) {
            return initializer(name, p.signed() ? INT8 : UINT8, new byte[] {(byte) p.zeroPoint()});
        }

        /** The zero point of every int8 weight (symmetric: 0), one scalar for the whole model. */
        private String weightZero() {
            if (weightZero == null) weightZero = initializer("weight_zero_point", INT8, new byte[1]);
            return weightZero;
        }

        private String int64s(String name, long... values) {
            ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            for (long v : values) b.putLong(v);
            return initializer(name, OnnxTypes.INT64, b.array(), values.length);
        }
    }
}
