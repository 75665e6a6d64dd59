package dev.janus.cuda;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The GPU checks without Maven (scripts/gpu-check runs this from its bundle): says which device
 * and libraries it found, runs every test of the cuda module (the GPU ones and the CPU-side ones)
 * and prints one line per test class (passed, failed, skipped) and each failure. Exits 1 when a
 * test failed, 2 when no GPU was found (then the GPU tests skip: a dry run of the bundle).
 */
public final class GpuCheck {
    private GpuCheck() {
    }

    public static void main(String[] args) {
        System.out.println("== CUDA: " + (Cuda.isAvailable() ? Cuda.describe(0) : "no device (" + Cuda.unavailableReason() + ")"));
        System.out.println("== NVRTC: " + (Nvrtc.isAvailable() ? Nvrtc.version() : Nvrtc.unavailableReason()));
        Map<String, int[]> byClass = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        TestExecutionListener listener = new TestExecutionListener() {
            private String owner(TestIdentifier t) {
                String id = t.getUniqueId();
                int at = id.indexOf("[class:");
                return at < 0 ? id : id.substring(at + 7, id.indexOf(']', at)).replace("dev.janus.cuda.", "");
            }

            @Override
            public void executionSkipped(TestIdentifier t, String reason) {
                byClass.computeIfAbsent(owner(t), k -> new int[3])[2]++;
            }

            @Override
            public void executionFinished(TestIdentifier t, TestExecutionResult r) {
                if (!t.isTest() && r.getStatus() == TestExecutionResult.Status.SUCCESSFUL) return;
                int[] c = byClass.computeIfAbsent(owner(t), k -> new int[3]);
                switch (r.getStatus()) {
                    case SUCCESSFUL: c[0]++; break;
                    case ABORTED: c[2]++; break;
                    default:
                        c[1]++;
                        failures.add(owner(t) + " " + t.getDisplayName() + ": " + r.getThrowable().map(String::valueOf).orElse("failed"));
                }
            }
        };
        Launcher launcher = LauncherFactory.create();
        launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(DiscoverySelectors.selectPackage("dev.janus.cuda")).build(), listener);
        System.out.println();
        System.out.println("| test class | passed | failed | skipped |");
        System.out.println("|---|---:|---:|---:|");
        int failed = 0;
        for (Map.Entry<String, int[]> e : byClass.entrySet()) {
            System.out.printf("| %s | %d | %d | %d |%n", e.getKey(), e.getValue()[0], e.getValue()[1], e.getValue()[2]);
            failed += e.getValue()[1];
        }
        for (String f : failures) System.out.println("FAILED " + f);
        System.exit(failed > 0 ? 1 : Cuda.isAvailable() ? 0 : 2);
    }
}
