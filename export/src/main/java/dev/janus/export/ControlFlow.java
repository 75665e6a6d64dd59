package dev.janus.export;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Emitter;
import dev.janus.export.proto.Onnx.GraphProto;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * ONNX's If, Loop and Scan, read at import time into plain nodes: an If whose condition is known
 * then (a check on shapes, as exporters and ONNX's function expansions write them) becomes the
 * branch it picks; a Loop whose trip count and condition are known, and a Scan whose sequence
 * length is, become their body repeated, each scan output the iterations' values stacked. A
 * condition, trip count or length known only at run time is refused naming the node: the IR has
 * no control flow.
 */
final class ControlFlow {
    static final Set<String> OPS = Set.of("If", "Loop", "Scan");
    /** Subgraphs nest at most this deep, and a model expands to at most this many copies of them. */
    static final int MAX_DEPTH = 16, MAX_COPIES = 4096;

    private ControlFlow() {
    }

    static List<Value> read(NodeReader n, GraphReader g) {
        switch (n.opType()) {
            case "If": return readIf(n, g);
            case "Loop": return readLoop(n, g);
            default: return readScan(n, g);
        }
    }

    private static List<Value> readIf(NodeReader n, GraphReader g) {
        boolean cond = flag(n, 0, "condition");
        GraphProto then = n.getGraph("then_branch"), otherwise = n.getGraph("else_branch");
        List<Value> outs = g.inline(cond ? then : otherwise, List.of(), n.prefix() + (cond ? "then_branch" : "else_branch"));
        if (outs.size() != n.outputCount()) throw n.error("the branch gives " + outs.size() + " outputs; the node has " + n.outputCount());
        return outs;
    }

    private static List<Value> readLoop(NodeReader n, GraphReader g) {
        if (!n.hasInput(0) && !n.hasInput(1)) throw n.error("a Loop with neither a trip count nor a condition never ends by itself");
        long trips = Long.MAX_VALUE;
        if (n.hasInput(0)) trips = known(n, 0, "trip count").readLong(0);
        boolean cond = !n.hasInput(1) || flag(n, 1, "condition");
        GraphProto body = n.getGraph("body");
        int carried = n.inputCount() - 2, scans = body.getOutputCount() - 1 - carried;
        if (carried < 0 || scans < 0 || n.outputCount() != carried + scans) {
            throw n.error("the body gives " + body.getOutputCount() + " outputs for " + Math.max(carried, 0) + " loop-carried values; the node has "
                    + n.outputCount() + " outputs");
        }
        List<Value> state = new ArrayList<>();
        for (int j = 2; j < n.inputCount(); j++) {
            if (!n.hasInput(j)) throw n.error("loop-carried input " + j + " is omitted");
            state.add(n.input(j));
        }
        List<List<Value>> stacked = new ArrayList<>();
        for (int k = 0; k < scans; k++) stacked.add(new ArrayList<>());
        for (long i = 0; i < trips && cond; i++) {
            List<Value> in = new ArrayList<>();
            in.add(g.graph().constant(Tensor.scalar(i, DType.INT64)));
            in.add(g.graph().constant(Tensor.scalar(1, DType.BOOL)));
            in.addAll(state);
            List<Value> out = g.inline(body, in, n.prefix() + "body, iteration " + i);
            Tensor next = g.known(out.get(0));
            if (next == null) throw n.error("the body's condition (output 0) is known only at run time; Janus unrolls a Loop when the model is read");
            cond = next.readDouble(0) != 0;
            state = new ArrayList<>(out.subList(1, 1 + carried));
            for (int k = 0; k < scans; k++) stacked.get(k).add(out.get(1 + carried + k));
        }
        List<Value> outs = new ArrayList<>(state);
        for (List<Value> s : stacked) outs.add(stack(n, s, 0));
        return outs;
    }

    /**
     * Scan (opset 9 on): the body runs once per step of the scan inputs' sequence axis, on that
     * step's slices (in reverse where a direction is 1) and the carried states.
     */
    private static List<Value> readScan(NodeReader n, GraphReader g) {
        if (n.opset() < 9) throw n.error("Scan before opset 9 (a batch axis and sequence_lens) is not supported");
        int m = n.getInt("num_scan_inputs", 0), states = n.inputCount() - m;
        if (m < 1 || states < 0) throw n.error("num_scan_inputs is " + m + " for " + n.inputCount() + " inputs");
        List<Value> state = new ArrayList<>(), scanned = new ArrayList<>();
        for (int j = 0; j < n.inputCount(); j++) {
            if (!n.hasInput(j)) throw n.error("input " + j + " is omitted");
            (j < states ? state : scanned).add(n.input(j));
        }
        GraphProto body = n.getGraph("body");
        int k = body.getOutputCount() - states;
        if (k < 0 || n.outputCount() != states + k) {
            throw n.error("the body gives " + body.getOutputCount() + " outputs for " + states + " states; the node has " + n.outputCount() + " outputs");
        }
        int[] inAxes = ints(n, "scan_input_axes", m), inDirections = ints(n, "scan_input_directions", m);
        int[] outAxes = ints(n, "scan_output_axes", k), outDirections = ints(n, "scan_output_directions", k);
        int length = -1;
        for (int j = 0; j < m; j++) {
            Shape s = scanned.get(j).type().shape();
            inAxes[j] = s.axis(inAxes[j], "Scan input " + (states + j));
            int d = s.dim(inAxes[j]);
            if (d < 0) throw n.error("the sequence length (axis " + inAxes[j] + " of input " + (states + j) + ", " + s + ") is known only at run time");
            if (length >= 0 && d != length) throw n.error("the scan inputs have sequence lengths " + length + " and " + d);
            length = d;
        }
        List<List<Value>> stacked = new ArrayList<>();
        for (int i = 0; i < k; i++) stacked.add(new ArrayList<>());
        for (int step = 0; step < length; step++) {
            List<Value> in = new ArrayList<>(state);
            for (int j = 0; j < m; j++) {
                int at = inDirections[j] == 1 ? length - 1 - step : step;
                in.add(n.emit().gather(scanned.get(j), g.graph().constant(Tensor.scalar(at, DType.INT64)), inAxes[j]));
            }
            List<Value> out = g.inline(body, in, n.prefix() + "body, step " + step);
            state = new ArrayList<>(out.subList(0, states));
            for (int i = 0; i < k; i++) stacked.get(i).add(out.get(states + i));
        }
        List<Value> outs = new ArrayList<>(state);
        for (int i = 0; i < k; i++) {
            List<Value> s = stacked.get(i);
            if (outDirections[i] == 1) java.util.Collections.reverse(s);
            int rank = s.isEmpty() ? 0 : s.get(0).type().rank() + 1;
            outs.add(stack(n, s, Shape.of(new int[rank]).axis(outAxes[i], "Scan output " + (states + i))));
        }
        return outs;
    }

    /** An ints attribute of {@code count} entries, all 0 when absent. */
    private static int[] ints(NodeReader n, String name, int count) {
        long[] v = n.getInts(name);
        if (v == null) return new int[count];
        if (v.length != count) throw n.error("attribute '" + name + "' has " + v.length + " entries for " + count + " values");
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            if (v[i] < Integer.MIN_VALUE || v[i] > Integer.MAX_VALUE) throw n.error("attribute '" + name + "' = " + v[i] + " is out of range");
            out[i] = (int) v[i];
        }
        return out;
    }

    /** The iterations' values of one scan output, stacked on a new axis {@code axis}. */
    private static Value stack(NodeReader n, List<Value> values, int axis) {
        if (values.isEmpty()) throw n.error("the body runs no iteration, so its scan outputs have no shape Janus can give");
        Emitter<Value> e = n.emit();
        Shape s = values.get(0).type().shape();
        int[] dims = new int[s.rank() + 1];
        for (int i = 0, j = 0; i < dims.length; i++) dims[i] = i == axis ? 1 : s.dim(j++);
        List<Value> parts = new ArrayList<>();
        for (Value v : values) {
            if (!v.type().shape().equals(s)) throw n.error("a scan output changes shape between iterations: " + s + " then " + v.type().shape());
            parts.add(e.reshape(v, Shape.of(dims)));
        }
        return e.concat(parts, axis);
    }

    private static Tensor known(NodeReader n, int i, String what) {
        if (!n.isConstant(i)) {
            throw new ConstantInputException(n.opType(), n.inputName(i), n.prefix() + "the " + what + " (input " + i + ", '" + n.inputName(i)
                    + "') is known only at run time; Janus reads " + n.opType() + " when the model is read, so it must be known then"
                    + " (a constant or a shape); a graph input can be fixed with ImportOptions.constants");
        }
        Tensor t = n.constant(i);
        if (t.numel() != 1) throw n.error("the " + what + " must hold one element, got " + t.type());
        return t;
    }

    private static boolean flag(NodeReader n, int i, String what) {
        return known(n, i, what).readDouble(0) != 0;
    }
}
