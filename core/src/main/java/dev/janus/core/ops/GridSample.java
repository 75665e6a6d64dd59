package dev.janus.core.ops;

import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.onnx.ExportNode;
import dev.janus.core.onnx.OnnxImportRule;
import dev.janus.core.onnx.OnnxWriter;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * grid_sample(x [N, C, D1..Dr], grid [N, H1..Hr, r]) -> [N, C, H1..Hr], as ONNX's GridSample (and
 * PyTorch's grid_sample): each output point reads x where its grid entry points, coordinates in
 * [-1, 1] and in reverse axis order (the first is the last axis's), interpolated by "mode" (linear,
 * nearest or cubic with a = -0.75), outside points handled by "padding_mode" (zeros, border or
 * reflection), "align_corners" saying whether -1 and 1 are the centres of the corner pixels or
 * their outer edges. The gradient of both inputs is {@link Backward}'s: the interpolation weights
 * scattered back to x, their derivatives (times the padding's) to the grid; nearest gives the grid none.
 */
final class GridSample {
    private GridSample() {
    }

    private static final double CUBIC_A = -0.75;

    /** The attributes as one value: the mode, the padding and the corners. */
    private static final class Config {
        final String mode, padding;
        final boolean alignCorners;

        Config(String op, Attrs a) {
            mode = a.getString("mode", "linear");
            padding = a.getString("padding_mode", "zeros");
            alignCorners = a.getBool("align_corners", false);
            if (!List.of("linear", "nearest", "cubic").contains(mode)) throw new ShapeException(op + ": mode must be linear, nearest or cubic, got '" + mode + "'");
            if (!List.of("zeros", "border", "reflection").contains(padding)) {
                throw new ShapeException(op + ": padding_mode must be zeros, border or reflection, got '" + padding + "'");
            }
        }
    }

    /**
     * The taps of one output point along one axis of length {@code size}: the element each reads (-1
     * for a zero from outside), its weight, and the weight's derivative by the normalized coordinate.
     */
    private static final class Taps {
        final int[] index = new int[4];
        final double[] weight = new double[4], slope = new double[4];
        int count;

        void set(Config cfg, double coord, int size) {
            double min = cfg.alignCorners ? 0 : -0.5, max = cfg.alignCorners ? size - 1 : size - 0.5;
            double x = cfg.alignCorners ? (coord + 1) / 2 * (size - 1) : ((coord + 1) * size - 1) / 2;
            double dx = cfg.alignCorners ? (size - 1) / 2.0 : size / 2.0;
            if (cfg.mode.equals("nearest")) {
                x = Math.rint(x);
                if (x < min || x > max) {
                    if (cfg.padding.equals("border")) x = clamp(x, 0, size - 1);
                    else if (cfg.padding.equals("reflection")) x = reflect(x, min, max)[0];
                }
                count = 1;
                index[0] = pixel(cfg, (long) x, size, min, max);
                weight[0] = 1;
                slope[0] = 0;
                return;
            }
            if (x < min || x > max) {
                if (cfg.padding.equals("border")) {
                    x = clamp(x, 0, size - 1);
                    dx = 0;
                } else if (cfg.padding.equals("reflection")) {
                    double[] r = reflect(x, min, max);
                    x = r[0];
                    dx *= r[1];
                }
            }
            double x0 = Math.floor(x), t = x - x0;
            boolean cubic = cfg.mode.equals("cubic");
            count = cubic ? 4 : 2;
            for (int k = 0; k < count; k++) index[k] = pixel(cfg, (long) x0 + k - (cubic ? 1 : 0), size, min, max);
            if (!cubic) {
                weight[0] = 1 - t;
                weight[1] = t;
                slope[0] = -dx;
                slope[1] = dx;
                return;
            }
            double a = CUBIC_A, u = t + 1, v = 1 - t, w = 2 - t;
            weight[0] = ((a * u - 5 * a) * u + 8 * a) * u - 4 * a;
            weight[1] = ((a + 2) * t - (a + 3)) * t * t + 1;
            weight[2] = ((a + 2) * v - (a + 3)) * v * v + 1;
            weight[3] = ((a * w - 5 * a) * w + 8 * a) * w - 4 * a;
            slope[0] = (3 * a * u * u - 10 * a * u + 8 * a) * dx;
            slope[1] = (3 * (a + 2) * t * t - 2 * (a + 3) * t) * dx;
            slope[2] = -(3 * (a + 2) * v * v - 2 * (a + 3) * v) * dx;
            slope[3] = -(3 * a * w * w - 10 * a * w + 8 * a) * dx;
        }

        /** The element a tap at integer position i reads, as ONNX's reference fetches it; -1 is a zero. */
        private static int pixel(Config cfg, long i, int size, double min, double max) {
            switch (cfg.padding) {
                case "zeros": return i >= 0 && i < size ? (int) i : -1;
                case "border": return (int) clamp(i, 0, size - 1);
                default: return (int) clamp((long) reflect(i, min, max)[0], 0, size - 1);
            }
        }

        private static double clamp(double v, double lo, double hi) {
            return Math.max(lo, Math.min(hi, v));
        }

        /** x folded into [min, max] as a mirror folds it, and the sign of d folded / d x. */
        private static double[] reflect(double x, double min, double max) {
            double range = max - min;
            if (range <= 0) return new double[] {min, 0};
            if (x < min) {
                double d = min - x;
                long n = (long) (d / range);
                double r = d - n * range;
                return n % 2 == 0 ? new double[] {min + r, -1} : new double[] {max - r, 1};
            }
            if (x > max) {
                double d = x - max;
                long n = (long) (d / range);
                double r = d - n * range;
                return n % 2 == 0 ? new double[] {max - r, -1} : new double[] {min + r, 1};
            }
            return new double[] {x, 1};
        }
    }

    private static int spatial(String op, TensorType x, TensorType grid) {
        Check.floating(op, x);
        Check.floating(op, grid);
        Shape xs = x.shape(), gs = grid.shape();
        int r = xs.rank() - 2;
        if (r < 1 || gs.rank() != r + 2 || (gs.dim(r + 1) != Shape.DYNAMIC && gs.dim(r + 1) != r)) {
            throw new ShapeException(op + ": expected x [N, C, D1..Dr] and grid [N, H1..Hr, r], got " + x + " and " + grid);
        }
        if (xs.dim(0) != Shape.DYNAMIC && gs.dim(0) != Shape.DYNAMIC && xs.dim(0) != gs.dim(0)) {
            throw new ShapeException(op + ": x " + xs + " and grid " + gs + " have different batch sizes");
        }
        return r;
    }

    /**
     * Walks every output point: for each, the taps along each axis, then {@code visit} with the
     * flat offsets of the point in the output (per channel 0) and in the grid.
     */
    private static void walk(Config cfg, Shape xs, Tensor grid, PointVisitor visit) {
        Shape gs = grid.shape();
        int r = xs.rank() - 2, n = xs.dim(0), points = gs.size(1, r + 1);
        Taps[] taps = new Taps[r];
        for (int d = 0; d < r; d++) taps[d] = new Taps();
        for (int b = 0; b < n; b++) {
            for (int p = 0; p < points; p++) {
                int g = (b * points + p) * r;
                for (int d = 0; d < r; d++) taps[d].set(cfg, grid.readDouble(g + r - 1 - d), xs.dim(2 + d));
                visit.point(b, p, g, taps);
            }
        }
    }

    private interface PointVisitor {
        void point(int batch, int point, int gridAt, Taps[] taps);
    }

    /** Calls {@code tap} with the flat offset within one channel of x and the product of weights, for every combination of taps (none when one reads a zero). */
    private static void combinations(Taps[] taps, Shape xs, int skip, TapVisitor tap) {
        int r = taps.length;
        int[] k = new int[r];
        int[] strides = Arrays.copyOfRange(xs.strides(), 2, r + 2);
        while (true) {
            int at = 0;
            double w = 1, s = 1;
            boolean zero = false;
            for (int d = 0; d < r; d++) {
                int i = taps[d].index[k[d]];
                if (i < 0) zero = true;
                else at += i * strides[d];
                w *= taps[d].weight[k[d]];
                if (d != skip) s *= taps[d].weight[k[d]];
                else s *= taps[d].slope[k[d]];
            }
            if (!zero) tap.visit(at, w, s);
            int d = r - 1;
            while (d >= 0 && ++k[d] == taps[d].count) k[d--] = 0;
            if (d < 0) return;
        }
    }

    private interface TapVisitor {
        void visit(int at, double weight, double slope);
    }

    static final class Forward extends Op {
        Forward() {
            super("grid_sample", 2, 2);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            new Config(name(), attrs);
            int r = spatial(name(), in[0], in[1]);
            int[] out = new int[r + 2];
            out[0] = in[0].shape().dim(0) != Shape.DYNAMIC ? in[0].shape().dim(0) : in[1].shape().dim(0);
            out[1] = in[0].shape().dim(1);
            for (int d = 0; d < r; d++) out[2 + d] = in[1].shape().dim(1 + d);
            return new TensorType[] {in[0].withShape(Shape.of(out))};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Tensor x = in[0], grid = in[1], y = out[0];
            Shape xs = x.shape(), gs = grid.shape();
            int channels = xs.dim(1), plane = xs.size(2, xs.rank()), points = gs.size(1, gs.rank() - 1);
            double[] acc = new double[channels];
            walk(new Config(name(), attrs), xs, grid, (b, p, g, taps) -> {
                Arrays.fill(acc, 0);
                combinations(taps, xs, -1, (at, w, s) -> {
                    for (int c = 0; c < channels; c++) acc[c] += w * x.readDouble((b * channels + c) * plane + at);
                });
                for (int c = 0; c < channels; c++) y.setDouble((b * channels + c) * points + p, acc[c]);
            });
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            List<V> both = e.apply(Ops.GRID_SAMPLE_GRAD, attrs, List.of(in.get(0), in.get(1), gOut.get(0)));
            return Arrays.asList(wanted[0] ? both.get(0) : null, wanted[1] ? both.get(1) : null);
        }

        /**
         * GridSample from opset 16 (4-D x; "bilinear" and "bicubic" before opset 20), any rank from
         * opset 20 ("linear", "cubic").
         */
        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            Config cfg = new Config(name(), node.attrs());
            int rank = node.inputType(0).rank();
            if (out.opset() < 16) throw node.error("GridSample needs opset 16 or later, got " + out.opset());
            if (out.opset() < 20 && rank != 4) throw node.error("a grid_sample of rank " + rank + " needs opset 20 or later (GridSample was 2-D before), got " + out.opset());
            String mode = out.opset() >= 20 || cfg.mode.equals("nearest") ? cfg.mode : "bi" + cfg.mode;
            out.node("GridSample", node.inputs(), node.outputs(), "mode", mode, "padding_mode", cfg.padding, "align_corners", cfg.alignCorners ? 1 : 0);
        }

        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("GridSample", n -> {
                String mode = n.getString("mode", n.opset() >= 20 ? "linear" : "bilinear");
                if (mode.equals("bilinear") || mode.equals("bicubic")) mode = mode.substring(2);
                Attrs a = Attrs.of("mode", mode, "padding_mode", n.getString("padding_mode", "zeros"), "align_corners", n.getInt("align_corners", 0) != 0);
                return List.of(n.apply1(this, a, n.input(0), n.input(1)));
            });
        }
    }

    /**
     * grid_sample_grad(x, grid, gy) -> (dx, dgrid): grid_sample's gradient, used only by its
     * gradient rule. dx gathers each weight times gy where the tap read; dgrid sums, over the
     * channels and taps, gy times x times the derivative of the weight.
     */
    static final class Backward extends Op {
        Backward() {
            super("grid_sample_grad", 3, 3);
        }

        @Override
        public int outputCount() {
            return 2;
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            new Config(name(), attrs);
            spatial(name(), in[0], in[1]);
            TensorType y = Ops.GRID_SAMPLE.infer(new TensorType[] {in[0], in[1]}, attrs)[0];
            if (!y.shape().compatible(in[2].shape())) throw new ShapeException(name() + ": gy " + in[2] + " does not match the output " + y);
            return new TensorType[] {in[0], in[1]};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Tensor x = in[0], grid = in[1], gy = in[2], dx = out[0], dgrid = out[1];
            Shape xs = x.shape(), gs = grid.shape();
            int channels = xs.dim(1), plane = xs.size(2, xs.rank()), points = gs.size(1, gs.rank() - 1), r = xs.rank() - 2;
            double[] gx = new double[x.numel()];
            double[] gg = new double[grid.numel()];
            walk(new Config(name(), attrs), xs, grid, (b, p, g, taps) -> {
                combinations(taps, xs, -1, (at, w, s) -> {
                    for (int c = 0; c < channels; c++) gx[(b * channels + c) * plane + at] += w * gy.readDouble((b * channels + c) * points + p);
                });
                for (int d = 0; d < r; d++) {
                    double[] sum = {0};
                    combinations(taps, xs, d, (at, w, s) -> {
                        for (int c = 0; c < channels; c++) {
                            sum[0] += s * x.readDouble((b * channels + c) * plane + at) * gy.readDouble((b * channels + c) * points + p);
                        }
                    });
                    gg[g + r - 1 - d] += sum[0];
                }
            });
            for (int i = 0; i < gx.length; i++) dx.setDouble(i, gx[i]);
            for (int i = 0; i < gg.length; i++) dgrid.setDouble(i, gg[i]);
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            throw node.error("it is grid_sample's gradient, used only in training; export the prediction, which does not need it");
        }
    }
}
