package dev.janus.benchmarks;

import org.junit.jupiter.api.Test;

import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runner's own logic: its command line, units, and reading the PyTorch peers' JSON line. */
class BenchTest {
    @Test
    void parsesItsCommandLine() {
        Bench.Settings s = Bench.parse(new String[] {"--quick", "--out", "/tmp/x", "IrisStep", "inference"});
        assertTrue(s.quick);
        assertEquals(Paths.get("/tmp/x"), s.out);
        assertEquals(List.of("IrisStep", "inference"), s.includes);
        Bench.Settings d = Bench.parse(new String[0]);
        assertFalse(d.quick);
        assertEquals(Paths.get("benchmarks", "results"), d.out);
        assertThrows(IllegalArgumentException.class, () -> Bench.parse(new String[] {"--fast"}));
        assertThrows(IllegalArgumentException.class, () -> Bench.parse(new String[] {"--out"}));
        Bench.Settings p = Bench.parse(new String[] {"-p", "w=64,1024", "WidthSweep"});
        assertArrayEquals(new String[] {"64", "1024"}, p.params.get("w"));
        assertEquals(List.of("WidthSweep"), p.includes);
        assertThrows(IllegalArgumentException.class, () -> Bench.parse(new String[] {"-p", "w"}));
    }

    @Test
    void convertsSecondsIntoJmhUnits() {
        assertEquals(1e6, Bench.perSecond("us/op"));
        assertEquals(1e3, Bench.perSecond("ms/op"));
        assertEquals(1e9, Bench.perSecond("ns/op"));
        assertThrows(IllegalArgumentException.class, () -> Bench.perSecond("ops/s"));
    }

    @Test
    void readsThePeerScriptsJson() {
        Map<String, Map<String, double[]>> into = new LinkedHashMap<>();
        PythonPeers.parse("{\"CompiledIrisBenchmark.inference\": {\"pytorch\": [3.1e-05, 9.9e-07]}, "
                + "\"CompiledMlpBenchmark.trainStep\": {\"pytorch\": [0.025, 0.001], \"pytorch2threads\": [0.016, 2e-4]}}", into);
        assertEquals(2, into.size());
        assertArrayEquals(new double[] {3.1e-5, 9.9e-7}, into.get("CompiledIrisBenchmark.inference").get("pytorch"));
        assertArrayEquals(new double[] {0.016, 2e-4}, into.get("CompiledMlpBenchmark.trainStep").get("pytorch2threads"));
    }
}
