package dev.janus.benchmarks;

import dev.janus.core.Generator;
import dev.janus.core.optim.Adam;
import dev.janus.eager.EagerOptimizer;
import dev.janus.core.Tensor;
import dev.janus.eager.nn.NNDropout;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.ReLU;
import dev.janus.eager.nn.NNSequential;
import dev.janus.graph.CompileOptions;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The long-run figures of issue 11: the iris MLP of {@link IrisStepBenchmark} trained step after
 * step in one style per JVM ("eager" or "compiled"), printing at 10,000, 50,000 and 100,000 steps
 * the live heap after a full collection, the heap the JVM has committed, the process's resident
 * memory (VmRSS) and the mean step time over the 1,000 steps before that point; the first line is
 * the same at 1,000 steps, the baseline. Training restarts from the first weights every 400 steps,
 * as in the benchmarks.
 *
 * <pre>java -cp benchmarks/target/classes:$(cat benchmarks/target/classpath.txt) dev.janus.benchmarks.LongRunReport eager</pre>
 */
public final class LongRunReport {
    private static final int WINDOW = 1_000;

    private LongRunReport() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || !(args[0].equals("eager") || args[0].equals("compiled"))) {
            System.err.println("usage: LongRunReport eager|compiled [steps at which to report, default 10000 50000 100000]");
            System.exit(2);
        }
        int[] marks = {WINDOW, 10_000, 50_000, 100_000};
        if (args.length > 1) {
            marks = new int[args.length];
            marks[0] = WINDOW;
            for (int i = 1; i < args.length; i++) marks[i] = Integer.parseInt(args[i]);
        }
        IrisBatches data = new IrisBatches();
        Runnable step;
        if (args[0].equals("eager")) {
            Generator.manualSeed(0);
            NNSequential model = new NNSequential(new Linear(4, 64), new ReLU(), new NNDropout(0.3), new Linear(64, 32), new ReLU(), new Linear(32, 3));
            EagerRun run = new EagerRun(model, () -> new EagerOptimizer(new Adam(1e-3), model.parameters()), IrisBatches.RUN);
            Tensor[] xs = new Tensor[IrisBatches.BATCHES], ys = new Tensor[IrisBatches.BATCHES];
            for (int b = 0; b < IrisBatches.BATCHES; b++) {
                xs[b] = data.x[b];
                ys[b] = data.y[b];
            }
            step = () -> run.step(xs, ys);
        } else {
            CompiledIrisBenchmark.Run run = new CompiledIrisBenchmark.Run(CompiledIrisBenchmark.iris(CompileOptions.defaults(), false));
            step = () -> {
                int b = run.next();
                run.model.trainOnBatch(data.x[b], data.y[b]);
            };
        }
        System.out.printf("%s, iris MLP 4-64-32-3, batch 16, Adam; %s, %d cores, load average %.2f at start%n", args[0],
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.println("steps     heap after GC (MB)  heap committed (MB)  RSS (MB)  step (µs, mean of the last 1,000)");
        int done = 0;
        for (int mark : marks) {
            while (done < mark - WINDOW) {
                step.run();
                done++;
            }
            long t0 = System.nanoTime();
            while (done < mark) {
                step.run();
                done++;
            }
            double micros = (System.nanoTime() - t0) / 1e3 / WINDOW;
            long live = heapAfterGc();
            System.out.printf("%-9d %18.1f %20.1f %9.1f %10.1f%n", mark, live / 1e6,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() / 1e6, rss() / 1e6, micros);
        }
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** VmRSS of /proc/self/status, in bytes (-1 where there is none). */
    private static long rss() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) return -1;
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
        return -1;
    }
}
