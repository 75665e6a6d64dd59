package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.ir.Value;
import dev.janus.core.onnx.ImportNode;
import dev.janus.core.onnx.OnnxTypes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * ONNX's Attention (opset 23 on) imported as the ops it is made of, so its gradient is theirs:
 * softmax(Q K^T scale + bias) V per head, with the key/value cache (past in, present out), grouped
 * query heads, causal and sliding-window masks (bottom-right aligned after the cache), boolean or
 * additive masks padded to the key length, nonpad_kv_seqlen, softcap and the qk_matmul_output modes,
 * as ONNX's reference computes them. Shapes must be known when the model is read.
 */
final class Attention {
    private Attention() {
    }

    static List<Value> importAttention(ImportNode n) {
        Emitter<Value> e = n.emit();
        Value q = n.input(0), k = n.input(1), v = n.input(2);
        int rank = q.type().rank();
        for (Value x : List.of(q, k, v)) {
            if (x.type().rank() != rank || (rank != 3 && rank != 4) || !x.type().shape().isStatic()) {
                throw n.error("Q, K and V must all be 3-D or all 4-D with known sizes, got " + q.type() + ", " + k.type() + ", " + v.type());
            }
        }
        DType dt = q.type().dtype();
        int batch = q.type().shape().dim(0), qHeads, kvHeads;
        if (rank == 3) {
            if (!n.has("q_num_heads") || !n.has("kv_num_heads")) throw n.error("3-D inputs need the q_num_heads and kv_num_heads attributes");
            qHeads = n.getInt("q_num_heads", 0);
            kvHeads = n.getInt("kv_num_heads", 0);
            q = heads(n, q, qHeads);
            k = heads(n, k, kvHeads);
            v = heads(n, v, kvHeads);
        } else {
            if (n.has("q_num_heads") || n.has("kv_num_heads")) {
                n.getInt("q_num_heads", 0);
                n.getInt("kv_num_heads", 0);
            }
            qHeads = q.type().shape().dim(1);
            kvHeads = k.type().shape().dim(1);
        }
        if (v.type().shape().dim(1) != kvHeads) throw n.error("K and V have different head counts: " + k.type() + ", " + v.type());
        if (qHeads % kvHeads != 0) throw n.error(qHeads + " query heads are not a multiple of " + kvHeads + " key/value heads");

        double scale = n.has("scale") ? n.getFloat("scale", 0) : 1 / Math.sqrt(q.type().shape().dim(3));
        double root = Math.sqrt(scale);
        int past = 0;
        if (n.hasInput(4) != n.hasInput(5)) throw n.error("past_key and past_value must be given together");
        if (n.hasInput(4)) {
            past = n.input(4).type().shape().dim(2);
            k = e.concat(List.of(n.input(4), k), 2);
            v = e.concat(List.of(n.input(5), v), 2);
        }
        Value presentKey = k, presentValue = v;
        int qLen = q.type().shape().dim(2), kvLen = k.type().shape().dim(2);

        Value bias = null;
        boolean causal = n.getInt("is_causal", 0) != 0;
        if (n.hasInput(3)) bias = mask(n, n.input(3), kvLen, dt);
        if (causal) bias = add(e, bias, e.constant(band(qLen, kvLen, past, -1, 0, dt)));
        int left = n.getInt("left_window_size", -1), right = n.getInt("right_window_size", -1);
        if (left >= 0 || right >= 0) bias = add(e, bias, e.constant(band(qLen, kvLen, past, left, right, dt)));
        if (n.hasInput(6)) {
            if (causal || left >= 0 || right >= 0 || n.hasInput(4)) {
                throw n.error("nonpad_kv_seqlen with is_causal, a sliding window or a past cache is not supported");
            }
            Value lengths = e.reshape(e.cast(n.input(6), DType.INT64), Shape.of(batch, 1, 1, 1));
            long[] positions = new long[kvLen];
            for (int j = 0; j < kvLen; j++) positions[j] = j;
            Value inside = e.greater(lengths, e.constant(Tensor.of(positions, 1, 1, 1, kvLen)));
            bias = add(e, bias, e.where(inside, e.scalar(0, dt), e.scalar(Double.NEGATIVE_INFINITY, dt)));
        }

        if (qHeads != kvHeads) {
            // each key/value head serves qHeads / kvHeads query heads in a row: [h0, h0, h1, h1, ...]
            long[] repeat = new long[qHeads];
            for (int h = 0; h < qHeads; h++) repeat[h] = h / (qHeads / kvHeads);
            k = e.gather(k, e.constant(Tensor.of(repeat)), 1);
            v = e.gather(v, e.constant(Tensor.of(repeat)), 1);
        }
        Value scores = e.matmul(e.mul(q, root), e.mul(k, root), false, true);
        double softcap = n.getFloat("softcap", 0);
        if (softcap > 0) scores = e.mul(e.tanh(e.mul(scores, 1 / softcap)), softcap);
        Value biased = bias == null ? scores : e.add(scores, bias);
        int mode = n.getInt("qk_matmul_output_mode", 0);
        if (mode < 0 || mode > 3) throw n.error("qk_matmul_output_mode must be 0 to 3, got " + mode);

        Value logits = biased;
        if (n.has("softmax_precision")) {
            DType precision = OnnxTypes.dtype(n.getInt("softmax_precision", 0), "softmax_precision of ONNX node '" + n.name() + "'");
            if (!precision.isFloating()) throw n.error("softmax_precision must be a floating-point type, got " + precision);
            logits = e.cast(biased, precision);
        }
        Value probs = e.softmax(logits, -1);
        if (bias != null) {
            // a row whose bias is -inf everywhere attends to nothing: its probabilities are 0
            Value rowMax = n.apply1(Ops.MAX, Attrs.of("axes", new int[] {-1}, "keepdims", true), bias);
            Value masked = e.equal(rowMax, e.scalar(Double.NEGATIVE_INFINITY, dt));
            probs = e.where(masked, e.scalar(0, e.dtype(probs)), probs);
        }
        probs = e.cast(probs, dt);
        Value y = e.matmul(probs, v, false, false);
        if (rank == 3) {
            Shape ys = y.type().shape();
            y = e.reshape(e.transpose(y, 0, 2, 1, 3), Shape.of(batch, qLen, ys.dim(1) * ys.dim(3)));
        }
        Value qk = mode == 3 ? probs : mode == 2 ? biased : scores;
        return new ArrayList<>(Arrays.asList(y, presentKey, presentValue, qk));
    }

    /**
     * RotaryEmbedding (opset 23): the first rotary_embedding_dim features of each head (all by
     * default) turned pairwise by the angles whose cosines and sines the caches hold (picked by
     * position_ids when given); pairs are neighbours when interleaved, else the two halves.
     */
    static List<Value> importRotaryEmbedding(ImportNode n) {
        Emitter<Value> e = n.emit();
        Value x = n.input(0), cos = n.input(1), sin = n.input(2);
        Shape s = x.type().shape();
        if ((s.rank() != 3 && s.rank() != 4) || !s.isStatic()) throw n.error("input must be 3-D or 4-D with known sizes, got " + x.type());
        Value h;
        if (s.rank() == 4) {
            h = e.transpose(x, 0, 2, 1, 3);
            if (n.has("num_heads")) n.getInt("num_heads", 0);
        } else {
            int heads = n.getInt("num_heads", 0);
            if (heads < 1 || s.dim(2) % heads != 0) throw n.error("3-D input needs num_heads dividing its hidden size " + s.dim(2) + ", got " + heads);
            h = e.reshape(x, Shape.of(s.dim(0), s.dim(1), heads, s.dim(2) / heads));
        }
        Shape hs = h.type().shape();
        int d = hs.dim(3), rd = n.getInt("rotary_embedding_dim", 0);
        if (rd == 0) rd = d;
        if (rd < 2 || rd > d || rd % 2 != 0) throw n.error("rotary_embedding_dim must be even and at most the head size " + d + ", got " + rd);
        int half = rd / 2;
        if (n.hasInput(3)) {
            cos = e.gather(cos, n.input(3), 0);
            sin = e.gather(sin, n.input(3), 0);
        }
        Shape cs = Shape.of(hs.dim(0), hs.dim(1), 1, half);
        for (Value c : List.of(cos, sin)) {
            Shape got = c.type().shape();
            if (got.rank() != 3 || got.dim(0) != hs.dim(0) || got.dim(1) != hs.dim(1) || got.dim(2) != half) {
                throw n.error("cos and sin caches must give [" + hs.dim(0) + ", " + hs.dim(1) + ", " + half + "] per position, got " + c.type());
            }
        }
        cos = e.reshape(cos, cs);
        sin = e.reshape(sin, cs);
        Value rot = rd == d ? h : e.slice(h, 3, 0, rd);
        boolean interleaved = n.getInt("interleaved", 0) != 0;
        Value x1 = interleaved ? every2(n, rot, 0, rd) : e.slice(rot, 3, 0, half);
        Value x2 = interleaved ? every2(n, rot, 1, rd) : e.slice(rot, 3, half, rd);
        Value real = e.sub(e.mul(cos, x1), e.mul(sin, x2)), imag = e.add(e.mul(sin, x1), e.mul(cos, x2));
        Value turned;
        if (interleaved) {
            Shape pair = Shape.of(hs.dim(0), hs.dim(1), hs.dim(2), half, 1);
            turned = e.reshape(e.concat(List.of(e.reshape(real, pair), e.reshape(imag, pair)), 4), rot.type().shape());
        } else {
            turned = e.concat(List.of(real, imag), 3);
        }
        Value y = rd == d ? turned : e.concat(List.of(turned, e.slice(h, 3, rd, d)), 3);
        return List.of(s.rank() == 4 ? e.transpose(y, 0, 2, 1, 3) : e.reshape(y, s));
    }

    /** Most steps LinearAttention is unrolled to: one set of nodes per step. */
    private static final int MAX_STEPS = 4096;

    /**
     * LinearAttention (opset 27), its recurrence unrolled over the (known) sequence: per step t and
     * key/value head, the state S [dk, dv] decays by exp(decay_t) ("gated", "gated_delta"), the value
     * is corrected by what S already holds for the key, v = beta_t (v_t - S^T k_t) ("delta",
     * "gated_delta"), S += k_t v^T, and each query head of the group reads scale q_t^T S. The outputs
     * are the reads [B, T, Hq dv] and the last state [B, Hkv, dk, dv] (past_state, else zeros, first).
     */
    static List<Value> importLinearAttention(ImportNode n) {
        n.ignore("chunk_size");
        String rule = n.getString("update_rule", "gated_delta");
        if (!List.of("linear", "gated", "delta", "gated_delta").contains(rule)) throw n.error("update_rule must be linear, gated, delta or gated_delta, got '" + rule + "'");
        boolean gating = rule.startsWith("gated"), delta = rule.endsWith("delta");
        if (gating != n.hasInput(4)) throw n.error("update_rule '" + rule + "' " + (gating ? "needs" : "takes no") + " decay (input 4)");
        if (delta != n.hasInput(5)) throw n.error("update_rule '" + rule + "' " + (delta ? "needs" : "takes no") + " beta (input 5)");
        int hq = n.getInt("q_num_heads", 0), hkv = n.getInt("kv_num_heads", 0);
        if (hq < 1 || hkv < 1 || hq % hkv != 0) throw n.error("q_num_heads " + hq + " must be a positive multiple of kv_num_heads " + hkv);
        Value q = n.input(0), k = n.input(1), v = n.input(2);
        for (Value x : List.of(q, k, v)) {
            Shape s = x.type().shape();
            if (s.rank() != 3 || !s.sub(1, 3).isStatic()) throw n.error("query, key and value must be [B, T, heads * D] with known T and D, got " + x.type());
        }
        Shape qs = q.type().shape();
        int steps = qs.dim(1), dk = qs.dim(2) / hq, dv = v.type().shape().dim(2) / hkv, group = hq / hkv;
        if (steps > MAX_STEPS) throw n.error("a sequence of " + steps + " steps is unrolled, at most " + MAX_STEPS);
        Emitter<Value> e = n.emit();
        // half floats are computed in float32 throughout, as ONNX's reference does, and rounded once at the end
        DType out = q.type().dtype(), dt = out.computeType();
        Value q4 = heads(n, e.cast(q, dt), hq), k4 = heads(n, e.cast(k, dt), hkv), v4 = heads(n, e.cast(v, dt), hkv);
        Value decay = null, beta = null;
        if (gating) {
            Shape ds = n.input(4).type().shape();
            if (ds.rank() != 3 || (ds.dim(2) != hkv && ds.dim(2) != hkv * dk)) throw n.error("decay must be [B, T, " + hkv + " or " + hkv * dk + "], got " + n.input(4).type());
            // [B, Hkv, T, 1 or dk]
            decay = heads(n, e.cast(n.input(4), dt), hkv);
        }
        if (delta) {
            Shape bs = n.input(5).type().shape();
            if (bs.rank() != 3 || (bs.dim(2) != hkv && bs.dim(2) != 1)) throw n.error("beta must be [B, T, " + hkv + " or 1], got " + n.input(5).type());
            beta = heads(n, e.cast(n.input(5), dt), bs.dim(2));
        }
        Value state;
        if (n.hasInput(3)) {
            state = e.cast(n.input(3), dt);
            if (!state.type().shape().compatible(Shape.of(qs.dim(0), hkv, dk, dv))) throw n.error("past_state must be [B, " + hkv + ", " + dk + ", " + dv + "], got " + n.input(3).type());
        } else {
            Value shape = e.concat(List.of(e.one(Ops.SHAPE, Attrs.of("end", 1), List.of(q)), e.constant(Tensor.of(new long[] {hkv, dk, dv}))), 0);
            state = e.one(Ops.CONSTANT_OF_SHAPE, Attrs.of("value", 0.0, "dtype", dt), List.of(shape));
        }
        double scale = n.getFloat("scale", 0);
        if (scale == 0) scale = 1 / Math.sqrt(dk);
        List<Value> reads = new ArrayList<>();
        for (int t = 0; t < steps; t++) {
            Value kt = e.slice(k4, 2, t, t + 1), vt = e.slice(v4, 2, t, t + 1);
            if (gating) state = e.mul(state, e.transpose(e.exp(e.slice(decay, 2, t, t + 1)), 0, 1, 3, 2));
            if (delta) vt = e.mul(e.slice(beta, 2, t, t + 1), e.sub(vt, einsum(e, "bhdm,bhod->bhom", state, kt)));
            state = e.add(state, einsum(e, "bhod,bhom->bhdm", kt, vt));
            Value read = state;
            if (group > 1) {
                Shape ss = state.type().shape();
                read = e.reshape(e.expand(e.reshape(state, Shape.of(ss.dim(0), hkv, 1, dk, dv)), Shape.of(ss.dim(0), hkv, group, dk, dv)),
                        Shape.of(ss.dim(0), hq, dk, dv));
            }
            reads.add(einsum(e, "bhod,bhdm->bhom", e.slice(q4, 2, t, t + 1), read));
        }
        Value y = e.mul(e.transpose(e.concat(reads, 2), 0, 2, 1, 3), scale);
        y = e.cast(e.reshape(y, Shape.of(qs.dim(0), steps, hq * dv)), out);
        return List.of(y, e.cast(state, n.hasInput(3) ? n.input(3).type().dtype() : out));
    }

    private static Value einsum(Emitter<Value> e, String equation, Value a, Value b) {
        return e.one(Ops.EINSUM, Attrs.of("equation", equation), List.of(a, b));
    }

    /** Features from, from + 2, ... below to, along the last of 4 axes. */
    private static Value every2(ImportNode n, Value x, int from, int to) {
        return n.apply1(Ops.SLICE, Attrs.of("starts", new int[] {from}, "ends", new int[] {to}, "axes", new int[] {3}, "steps", new int[] {2}), x);
    }

    /** [B, S, heads * D] as [B, heads, S, D]. */
    private static Value heads(ImportNode n, Value x, int heads) {
        Shape s = x.type().shape();
        if (heads < 1 || s.dim(2) % heads != 0) throw n.error("hidden size " + s.dim(2) + " of " + x.type() + " does not split into " + heads + " heads");
        Emitter<Value> e = n.emit();
        return e.transpose(e.reshape(x, Shape.of(s.dim(0), s.dim(1), heads, s.dim(2) / heads)), 0, 2, 1, 3);
    }

    /** The mask as an additive bias (boolean: true attends, false adds -inf), padded to kvLen keys with -inf. */
    private static Value mask(ImportNode n, Value m, int kvLen, DType dt) {
        Emitter<Value> e = n.emit();
        Shape s = m.type().shape();
        if (!s.isStatic() || s.rank() < 1) throw n.error("attn_mask must have known sizes, got " + m.type());
        Value bias = m.type().dtype() == DType.BOOL ? e.where(m, e.scalar(0, dt), e.scalar(Double.NEGATIVE_INFINITY, dt)) : e.cast(m, dt);
        int keys = s.dim(s.rank() - 1);
        if (keys > kvLen) throw n.error("attn_mask " + m.type() + " covers more than the " + kvLen + " keys");
        if (keys == kvLen) return bias;
        Tensor pad = Tensor.empty(dt, s.with(s.rank() - 1, kvLen - keys));
        for (int i = 0; i < pad.numel(); i++) pad.setDouble(i, Double.NEGATIVE_INFINITY);
        return e.concat(List.of(bias, e.constant(pad)), s.rank() - 1);
    }

    /**
     * [q, kv] additive bias: 0 where query i (at position i + past) may see key j, -inf elsewhere.
     * left < 0 and right < 0 mean unbounded; causal is left unbounded, right 0.
     */
    private static Tensor band(int qLen, int kvLen, int past, int left, int right, DType dt) {
        Tensor t = Tensor.empty(dt, Shape.of(qLen, kvLen));
        for (int i = 0; i < qLen; i++) {
            for (int j = 0; j < kvLen; j++) {
                long d = (long) i + past - j;
                boolean allowed = (left < 0 || d <= left) && (right < 0 || -d <= right);
                t.setDouble(i * kvLen + j, allowed ? 0 : Double.NEGATIVE_INFINITY);
            }
        }
        return t;
    }

    private static Value add(Emitter<Value> e, Value bias, Value more) {
        return bias == null ? more : e.add(bias, more);
    }
}
