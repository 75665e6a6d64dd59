package dev.janus.benchmarks;

import dev.janus.core.Generator;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.backend.CpuThreads;
import dev.janus.core.backend.NativeStorage;
import dev.janus.core.backend.StorageKind;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Ops;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas;
import org.bytedeco.openblas.global.openblas_full;

import java.util.ArrayList;
import java.util.List;

/**
 * The bare-BLAS peer: a list of float32 products (M, N, K, transposes) run as plain cblas_sgemm
 * calls on native buffers made once, with OpenBLAS on as many threads as Janus may use (its own
 * default): what the products cost with nothing around them. The same products also run through
 * Janus's matmul op on native tensors, to compare the op with the bare call.
 */
final class BareGemm {
    /** One product: C [m, n] = op(A) op(B), A [m, k] (or [k, m] transposed), B [k, n] (or [n, k]). */
    static final class Product {
        final int m, n, k;
        final boolean transA, transB;

        Product(int m, int n, int k, boolean transA, boolean transB) {
            this.m = m;
            this.n = n;
            this.k = k;
            this.transA = transA;
            this.transB = transB;
        }
    }

    /**
     * The products of one training step of an MLP in -> h1 -> h2 -> out at this batch: three
     * forward, and backward the input gradients of the two upper layers and every weight gradient.
     */
    static List<Product> mlpStep(int batch, int in, int h1, int h2, int out) {
        List<Product> p = new ArrayList<>();
        p.add(new Product(batch, h1, in, false, false));
        p.add(new Product(batch, h2, h1, false, false));
        p.add(new Product(batch, out, h2, false, false));
        p.add(new Product(batch, h2, out, false, true));
        p.add(new Product(h2, out, batch, true, false));
        p.add(new Product(batch, h1, h2, false, true));
        p.add(new Product(h1, h2, batch, true, false));
        p.add(new Product(in, h1, batch, true, false));
        return p;
    }

    private final List<Product> products;
    private final FloatPointer[][] buffers;
    private final Tensor[][] tensors;
    private final Attrs[] attrs;

    BareGemm(List<Product> products) {
        this.products = products;
        buffers = new FloatPointer[products.size()][];
        tensors = new Tensor[products.size()][];
        attrs = new Attrs[products.size()];
        Generator g = new Generator(5);
        for (int i = 0; i < products.size(); i++) {
            Product p = products.get(i);
            Tensor a = Tensor.randn(g, p.transA ? p.k : p.m, p.transA ? p.m : p.k).to(StorageKind.NATIVE);
            Tensor b = Tensor.randn(g, p.transB ? p.n : p.k, p.transB ? p.k : p.n).to(StorageKind.NATIVE);
            Tensor c = StorageKind.NATIVE.empty(a.dtype(), Shape.of(p.m, p.n), dev.janus.core.Device.CPU);
            tensors[i] = new Tensor[] {a, b, c};
            buffers[i] = new FloatPointer[] {pointer(a), pointer(b), pointer(c)};
            attrs[i] = Attrs.of("transA", p.transA, "transB", p.transB);
        }
        Loader.load(openblas_full.class);
        openblas_full.openblas_set_num_threads(CpuThreads.threads());
    }

    private static FloatPointer pointer(Tensor t) {
        return ((NativeStorage) t.storage()).floatPointer(0);
    }

    /** Every product as a bare cblas_sgemm call; returns an element of the last result. */
    float cblas() {
        for (int i = 0; i < products.size(); i++) {
            Product p = products.get(i);
            FloatPointer[] f = buffers[i];
            openblas.cblas_sgemm(openblas.CblasRowMajor, p.transA ? openblas.CblasTrans : openblas.CblasNoTrans,
                    p.transB ? openblas.CblasTrans : openblas.CblasNoTrans, p.m, p.n, p.k, 1f,
                    f[0], p.transA ? p.m : p.k, f[1], p.transB ? p.k : p.n, 0f, f[2], p.n);
        }
        return buffers[products.size() - 1][2].get(0);
    }

    /** Every product through Janus's matmul op, into the same native outputs. */
    Tensor janus(ExecContext ctx) {
        for (int i = 0; i < products.size(); i++) {
            Tensor[] t = tensors[i];
            Ops.MATMUL.execute(new Tensor[] {t[0], t[1]}, attrs[i], new Tensor[] {t[2]}, ctx);
        }
        return tensors[products.size() - 1][2];
    }
}
