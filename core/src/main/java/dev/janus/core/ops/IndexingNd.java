package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Value;
import dev.janus.core.onnx.ExportNode;
import dev.janus.core.onnx.OnnxImportRule;
import dev.janus.core.onnx.OnnxImports;
import dev.janus.core.onnx.OnnxWriter;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Indexing by tuples, as ONNX's GatherND and ScatterND: the last axis of indices holds k
 * coordinates that pick (or place) a slice data[i_1, ..., i_k, :, ...] of the rest of data's axes,
 * after attribute "batch_dims" leading axes that data and indices share (negative coordinates count
 * from the end; out of range is an error naming it).
 */
final class IndexingNd {
    private IndexingNd() {
    }

    /** The layout of one call: batches, tuples per batch, coordinates per tuple, elements per slice. */
    private static final class Layout {
        final int batches, tuples, k, slice;
        final Shape data;
        final int batchDims;

        private Layout(Shape data, Shape idx, int batchDims) {
            this.data = data;
            this.batchDims = batchDims;
            k = idx.dim(idx.rank() - 1);
            batches = data.size(0, batchDims);
            tuples = idx.size(batchDims, idx.rank() - 1);
            slice = data.size(batchDims + k, data.rank());
        }

        /**
         * Checks the shapes (dynamic sizes pass) and returns the shape of a gather's output, which is
         * also the shape a scatter's updates must have: indices' axes but the last, then data's after
         * the batch axes and the k indexed ones.
         */
        static Shape check(String op, TensorType data, TensorType idx, int batchDims) {
            Check.integer(op, "indices", idx);
            Shape d = data.shape(), i = idx.shape();
            if (i.rank() < 1 || batchDims < 0 || batchDims >= i.rank() || batchDims > d.rank()) {
                throw new ShapeException(op + ": indices " + idx + " and batch_dims " + batchDims + " do not fit data " + data);
            }
            int k = i.dim(i.rank() - 1);
            if (k == Shape.DYNAMIC || k < 1 || batchDims + k > d.rank()) {
                throw new ShapeException(op + ": the last axis of indices " + idx + " must hold 1 to " + (d.rank() - batchDims) + " coordinates into data " + data);
            }
            for (int a = 0; a < batchDims; a++) {
                if (d.dim(a) != Shape.DYNAMIC && i.dim(a) != Shape.DYNAMIC && d.dim(a) != i.dim(a)) {
                    throw new ShapeException(op + ": batch axis " + a + " of data " + data + " and indices " + idx + " differ");
                }
            }
            return i.sub(0, i.rank() - 1).concat(d.sub(batchDims + k, d.rank()));
        }

        static Layout of(Tensor data, Tensor idx, int batchDims) {
            return new Layout(data.shape(), idx.shape(), batchDims);
        }

        /** The offset in data of tuple t of batch b, checking its coordinates. */
        int offset(String op, Tensor idx, int b, int t) {
            int[] strides = data.strides();
            int at = b * data.size(batchDims, data.rank()), from = (b * tuples + t) * k;
            for (int j = 0; j < k; j++) {
                int axis = batchDims + j, size = data.dim(axis);
                long c = idx.readLong(from + j);
                if (c < 0) c += size;
                if (c < 0 || c >= size) {
                    throw new ShapeException(op + ": coordinate " + idx.readLong(from + j) + " of index tuple " + (b * tuples + t)
                            + " is out of range for axis " + axis + " of size " + size + " of " + data);
                }
                at += (int) c * strides[axis];
            }
            return at;
        }
    }

    private static int batchDims(Attrs attrs) {
        return attrs.getInt("batch_dims", 0);
    }

    /** gather_nd(data, indices): the slices of data that the index tuples pick, attribute "batch_dims" (ONNX GatherND). */
    static final class GatherNd extends Op {
        GatherNd() {
            super("gather_nd", 2, 2);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            return new TensorType[] {in[0].withShape(Layout.check(name(), in[0], in[1], batchDims(attrs)))};
        }

        @Override
        public boolean computes(DType dtype) {
            return true;    // moves elements of any dtype; reads any integer indices
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Layout l = Layout.of(in[0], in[1], batchDims(attrs));
            Object src = in[0].heapArray(), dst = out[0].heapArray();
            for (int b = 0; b < l.batches; b++) {
                for (int t = 0; t < l.tuples; t++) System.arraycopy(src, l.offset(name(), in[1], b, t), dst, (b * l.tuples + t) * l.slice, l.slice);
            }
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            if (!wanted[0]) return Arrays.asList(null, null);
            V zeros = e.zeros(e.type(in.get(0)));
            return Arrays.asList(e.one(Ops.SCATTER_ND, attrs.with("reduction", "add"), List.of(zeros, in.get(1), gOut.get(0))), null);
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            out.node("GatherND", node.inputs(), node.outputs(), "batch_dims", batchDims(node.attrs()));
        }

        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("GatherND", n -> List.of(n.apply1(this, Attrs.of("batch_dims", n.getInt("batch_dims", 0)), n.input(0), n.input(1))));
        }
    }

    /**
     * scatter_nd(data, indices, updates): data with each update slice placed (attribute "reduction"
     * none, the default) or combined ("add", "mul", "max", "min") where its index tuple points (ONNX
     * ScatterND; a later update to the same place wins). "batch_dims", which ONNX's ScatterND lacks,
     * is for gather_nd's gradient.
     */
    static final class ScatterNd extends Op {
        ScatterNd() {
            super("scatter_nd", 3, 3);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Shape u = Layout.check(name(), in[0], in[1], batchDims(attrs));
            Check.sameDType(name(), in[0], in[2]);
            if (!u.compatible(in[2].shape())) throw new ShapeException(name() + ": updates " + in[2] + " must be " + u + " for data " + in[0] + " and indices " + in[1]);
            Indexing.reduction(name(), attrs);
            return new TensorType[] {in[0]};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Layout l = Layout.of(in[0], in[1], batchDims(attrs));
            String red = attrs.getString("reduction", "none");
            Tensor y = out[0], u = in[2];
            if (y != in[0]) y.copyFrom(in[0]);
            boolean integer = y.dtype() == DType.INT64;
            for (int b = 0; b < l.batches; b++) {
                for (int t = 0; t < l.tuples; t++) {
                    int at = l.offset(name(), in[1], b, t), from = (b * l.tuples + t) * l.slice;
                    for (int j = 0; j < l.slice; j++) Indexing.combine(y, at + j, u, from + j, red, integer);
                }
            }
        }

        /** Differentiable for reduction none and add (with none, for tuples that do not repeat). */
        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            String red = attrs.getString("reduction", "none");
            if (!red.equals("none") && !red.equals("add")) throw new JanusException(name() + ": no gradient for reduction " + red);
            V g = gOut.get(0), idx = in.get(1);
            Attrs at = Attrs.of("batch_dims", batchDims(attrs));
            V gData = null;
            if (wanted[0]) gData = red.equals("add") ? g : e.one(this, at, List.of(g, idx, e.zeros(e.type(in.get(2)))));
            V gUpd = wanted[2] ? e.one(Ops.GATHER_ND, at, List.of(g, idx)) : null;
            return Arrays.asList(gData, null, gUpd);
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            if (batchDims(node.attrs()) != 0) throw node.error("ONNX's ScatterND has no batch_dims (a scatter_nd with them comes from gather_nd's gradient)");
            String red = Indexing.exportedReduction(node, out);
            if (red.equals("none")) out.node("ScatterND", node.inputs(), node.outputs());
            else out.node("ScatterND", node.inputs(), node.outputs(), "reduction", red);
        }

        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("ScatterND", n -> List.of(n.apply1(this, Attrs.of("reduction", n.getString("reduction", "none")),
                    n.input(0), n.input(1), n.input(2))));
        }
    }

    /**
     * nonzero(x) -> int64 [rank, n]: the coordinates of x's n non-zero (true) elements, in row-major
     * order (ONNX NonZero); n is known only at run time. Compress imports as a gather of them.
     */
    static final class NonZero extends Op {
        NonZero() {
            super("nonzero", 1, 1, "NonZero");
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Tensor known = in[0].value();
            return new TensorType[] {new TensorType(DType.INT64, Shape.of(Math.max(1, in[0].rank()), known == null ? Shape.DYNAMIC : count(known)))};
        }

        @Override
        protected TensorType[] inferFromValues(Tensor[] in, Attrs attrs) {
            return new TensorType[] {new TensorType(DType.INT64, Shape.of(Math.max(1, in[0].rank()), count(in[0])))};
        }

        private static int count(Tensor x) {
            int n = 0;
            for (int i = 0; i < x.numel(); i++) if (x.readDouble(i) != 0) n++;
            return n;
        }

        @Override
        public boolean computes(DType dtype) {
            return true;    // reads any dtype through readDouble
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Tensor x = in[0];
            int rank = x.rank(), n = out[0].shape().dim(1);
            int[] dims = x.shape().dims(), coord = new int[rank];
            for (int i = 0, j = 0; i < x.numel(); i++) {
                if (x.readDouble(i) != 0) {
                    if (rank == 0) out[0].setLong(j, 0);
                    for (int a = 0; a < rank; a++) out[0].setLong(a * n + j, coord[a]);
                    j++;
                }
                for (int a = rank - 1; a >= 0 && ++coord[a] == dims[a]; a--) coord[a] = 0;
            }
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            return Arrays.asList((V) null);
        }

        /**
         * NonZero, and Compress: the slices along "axis" (absent: of the flattened input) where the
         * 1-D condition is true, a gather of its nonzero positions (so its gradient is gather's).
         */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("NonZero", OnnxImports.direct(this), "Compress", n -> {
                Value x = n.input(0), cond = n.input(1);
                if (cond.type().rank() != 1) throw n.error("condition must be 1-D, got " + cond.type());
                Emitter<Value> e = n.emit();
                int axis = 0;
                if (n.has("axis")) axis = x.type().shape().axis(n.getInt("axis", 0), n.opType());
                else x = e.reshape(x, Shape.of(-1));
                Value at = e.reshape(n.apply1(this, Attrs.NONE, cond), Shape.of(-1));
                return List.of(e.gather(x, at, axis));
            });
        }
    }
}
