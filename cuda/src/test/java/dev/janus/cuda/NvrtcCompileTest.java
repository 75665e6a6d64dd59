package dev.janus.cuda;

import dev.janus.core.DType;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Op;
import dev.janus.core.ops.Ops;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every kernel Janus generates compiles with NVRTC to PTX for compute_90 (H100) and compute_80
 * (A100), and assembles with ptxas for sm_90 where ptxas is found (the kernel of each op and dtype,
 * each way of reading an input, and a fused chain). Needs no GPU: NVRTC alone
 * (scripts/cuda-cpu-env prepares it on a machine without CUDA); skips with the reason without it.
 */
class NvrtcCompileTest {
    @BeforeAll
    static void nvrtc() {
        assumeTrue(Nvrtc.isAvailable(), "NVRTC not loadable here (run scripts/cuda-cpu-env): " + Nvrtc.unavailableReason());
    }

    /** (label, kernel name, source) for every generated kernel: each op and dtype, each read mode, a long fused chain. */
    static Stream<Arguments> kernels() {
        List<Arguments> all = new ArrayList<>();
        Elementwise.Read[] modes = Elementwise.Read.values();
        for (Op op : Ops.all()) {
            if (!Elementwise.supports(op)) continue;
            for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT64, DType.BOOL}) {
                Attrs attrs = attrsFor(op, t);
                DType[] in = inputs(op, t);
                if (in == null) continue;
                DType out = op.name().equals("cast") ? attrs.getDType("to")
                        : op.name().equals("greater") || op.name().equals("equal") ? DType.BOOL
                        : in[in.length - 1];
                Elementwise.Read[] reads = new Elementwise.Read[in.length];
                int[] src = new int[in.length];
                for (int j = 0; j < in.length; j++) {
                    reads[j] = modes[(j + t.ordinal()) % modes.length];
                    src[j] = j;
                }
                String label = op.name() + " " + t + (op.name().equals("cast") ? " to " + out : "");
                all.add(Arguments.of(label, "janus_ew", Elementwise.source("janus_ew", in, reads, 3,
                        List.of(new Elementwise.Step(op, attrs, src, out)), new int[] {in.length})));
            }
        }
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (String k : new String[] {"sum", "mean", "max", "min"}) {
                all.add(Arguments.of(k + " " + t, "reduce_" + k + "_" + CudaC.tag(t), KernelSources.reduce(k, t)));
            }
            all.add(Arguments.of("argmax " + t, "argmax_" + CudaC.tag(t), KernelSources.argmax(t)));
            all.add(Arguments.of("softmax " + t, "softmax_" + CudaC.tag(t), KernelSources.softmax(false, t)));
            all.add(Arguments.of("log_softmax " + t, "log_softmax_" + CudaC.tag(t), KernelSources.softmax(true, t)));
            all.add(Arguments.of("softmax_cross_entropy " + t, "softmax_cross_entropy_" + CudaC.tag(t), KernelSources.softmaxCrossEntropy(t)));
            all.add(Arguments.of("mse " + t, "mse_" + CudaC.tag(t), KernelSources.mse(t)));
            all.add(Arguments.of("dropout " + t, "dropout_" + CudaC.tag(t), KernelSources.dropout(t)));
        }
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT64, DType.BOOL}) {
            all.add(Arguments.of("copy_strided " + t, "copy_strided_" + CudaC.tag(t), KernelSources.copyStrided(t)));
            all.add(Arguments.of("scatter_strided " + t, "scatter_strided_" + CudaC.tag(t), KernelSources.scatterStrided(t)));
            all.add(Arguments.of("gather " + t, "gather_" + CudaC.tag(t), KernelSources.gather(t)));
            all.add(Arguments.of("one_hot " + t, "one_hot_" + CudaC.tag(t), KernelSources.oneHot(t)));
        }
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            all.add(Arguments.of("index_add " + t, "index_add_" + CudaC.tag(t), KernelSources.indexAdd(t)));
        }
        all.add(Arguments.of("fused adam update", "janus_fused", adamChain()));
        return all.stream();
    }

    // Adam's update as the compiler fuses it: m, v, p, g and three scalars in; new m, v, p out.
    private static String adamChain() {
        DType f = DType.FLOAT32;
        DType[] in = {f, f, f, f, f, f, f};
        Elementwise.Read[] reads = {Elementwise.Read.FULL, Elementwise.Read.FULL, Elementwise.Read.FULL, Elementwise.Read.FULL,
                Elementwise.Read.PERIOD, Elementwise.Read.PERIOD, Elementwise.Read.PERIOD};
        List<Elementwise.Step> s = new ArrayList<>();
        // 7: m*b1, 8: g*(1-b1) via scalar 5, 9: m' , 10: g*g, 11: v*b2 (scalar 4 reused), 12: v', 13: sqrt v', 14: +eps, 15: m'/.., 16: *lr, 17: p'
        s.add(new Elementwise.Step(Ops.MUL, Attrs.NONE, new int[] {0, 4}, f));
        s.add(new Elementwise.Step(Ops.MUL, Attrs.NONE, new int[] {3, 5}, f));
        s.add(new Elementwise.Step(Ops.ADD, Attrs.NONE, new int[] {7, 8}, f));
        s.add(new Elementwise.Step(Ops.MUL, Attrs.NONE, new int[] {3, 3}, f));
        s.add(new Elementwise.Step(Ops.MUL, Attrs.NONE, new int[] {1, 4}, f));
        s.add(new Elementwise.Step(Ops.ADD, Attrs.NONE, new int[] {11, 10}, f));
        s.add(new Elementwise.Step(Ops.SQRT, Attrs.NONE, new int[] {12}, f));
        s.add(new Elementwise.Step(Ops.ADD, Attrs.NONE, new int[] {13, 6}, f));
        s.add(new Elementwise.Step(Ops.DIV, Attrs.NONE, new int[] {9, 14}, f));
        s.add(new Elementwise.Step(Ops.MUL, Attrs.NONE, new int[] {15, 6}, f));
        s.add(new Elementwise.Step(Ops.SUB, Attrs.NONE, new int[] {2, 16}, f));
        return Elementwise.source("janus_fused", in, reads, 2, s, new int[] {9, 12, 17});
    }

    private static DType[] inputs(Op op, DType t) {
        boolean floating = t == DType.FLOAT32 || t == DType.FLOAT64;
        switch (op.name()) {
            case "cast": return new DType[] {t};
            case "greater": case "equal": return t == DType.BOOL ? null : new DType[] {t, t};
            case "where": return new DType[] {DType.BOOL, t, t};
            case "add": case "sub": case "mul": case "div": case "pow": case "maximum": case "minimum":
                return floating ? new DType[] {t, t} : null;
            default: return floating ? new DType[] {t} : null;
        }
    }

    private static Attrs attrsFor(Op op, DType t) {
        switch (op.name()) {
            case "cast": return Attrs.of("to", t == DType.FLOAT32 ? DType.INT64 : t == DType.INT64 ? DType.FLOAT64 : t == DType.BOOL ? DType.FLOAT32 : DType.BOOL);
            case "gelu": return t == DType.FLOAT32 ? Attrs.of("approximate", "tanh") : Attrs.NONE;
            case "clip": return Attrs.of("min", -1.5, "max", Double.POSITIVE_INFINITY);
            case "leaky_relu": return Attrs.of("alpha", 0.2);
            default: return Attrs.NONE;
        }
    }

    /**
     * All kernels in one translation unit (the prelude once, each kernel renamed k0, k1, ...): one
     * NVRTC compile per architecture and one ptxas run keep this check to seconds.
     */
    @Test
    void everyGeneratedKernelCompilesForHopperAndAmpere() throws Exception {
        List<Arguments> ks = kernels().toList();
        StringBuilder unit = new StringBuilder(CudaC.PRELUDE);
        for (int i = 0; i < ks.size(); i++) {
            Object[] a = ks.get(i).get();
            String src = (String) a[2];
            assertTrue(src.startsWith(CudaC.PRELUDE), a[0] + ": every generated source starts with the prelude");
            unit.append("// ").append(a[0]).append('\n')
                    .append(src.substring(CudaC.PRELUDE.length()).replace(" " + a[1] + "(", " k" + i + "("));
        }
        String source = unit.toString(), hopper = null;
        for (String arch : new String[] {"compute_90", "compute_80"}) {
            String ptx = Nvrtc.ptx(source, arch);
            if (hopper == null) hopper = ptx;
            assertTrue(ptx.contains(".target sm_" + arch.substring(8)), "PTX not for " + arch);
            for (int i = 0; i < ks.size(); i++) {
                assertTrue(ptx.contains(".entry k" + i + "("), ks.get(i).get()[0] + ": no entry in the PTX for " + arch);
            }
        }
        String ptxas = ptxas();
        if (ptxas == null) {
            System.out.println("NvrtcCompileTest: no ptxas found (set JANUS_PTXAS): PTX not assembled");
            return;
        }
        Path dir = Files.createTempDirectory("janus-ptx");
        try {
            Path in = dir.resolve("k.ptx"), out = dir.resolve("k.cubin");
            Files.writeString(in, hopper, StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(ptxas, "-arch=sm_90", "-o", out.toString(), in.toString()).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "ptxas timed out");
            assertEquals(0, p.exitValue(), "ptxas -arch=sm_90 failed:\n" + log);
            assertTrue(Files.size(out) > 0);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    void eachKernelAloneCompilesToo() {
        // A few on their own, as the backend compiles them (one source per op signature).
        for (Arguments a : kernels().limit(3).toList()) {
            Object[] v = a.get();
            assertTrue(Nvrtc.ptx((String) v[2], "compute_90").contains(".entry " + v[1]), String.valueOf(v[0]));
        }
    }

    @Test
    void aCompileErrorCarriesTheLogAndTheSource() {
        dev.janus.core.JanusException e = org.junit.jupiter.api.Assertions.assertThrows(dev.janus.core.JanusException.class,
                () -> Nvrtc.ptx("extern \"C\" __global__ void broken() { undeclared(); }", "compute_90"));
        assertTrue(e.getMessage().contains("undeclared"), e.getMessage());
        assertTrue(e.getMessage().contains("source:"), e.getMessage());
    }

    /** ptxas: $JANUS_PTXAS, else on the PATH, else a CUDA toolkit's; null when none. */
    static String ptxas() {
        String env = System.getenv("JANUS_PTXAS");
        if (env != null && new File(env).canExecute()) return env;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, "ptxas");
            if (f.canExecute()) return f.getPath();
        }
        File f = new File("/usr/local/cuda/bin/ptxas");
        return f.canExecute() ? f.getPath() : null;
    }
}
