package dev.janus.core.io;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A child JVM saves over one file again and again and is killed (SIGKILL) at a random moment: the
 * file is always one whole save or the other, and the next load leaves no temporary file behind.
 */
@Tag("reliability")
class KillDuringSaveTest {
    private static final int KILLS = 5;

    @Test
    void aKilledSaveLeavesTheOldFileOrTheNewOneAndNoLeftovers(@TempDir Path dir) {
        Path target = dir.resolve("model.safetensors");
        Generator rng = new Generator(7);
        int[] midWrite = {0};
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int k = 0; k < KILLS; k++) {
                String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
                Process child = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                        SaveLoop.class.getName(), target.toString()).redirectErrorStream(true).start();
                try {
                    BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                    String line;
                    while ((line = out.readLine()) != null && !line.equals("saved")) {
                        // the JVM's own chatter, if any
                    }
                    assertEquals("saved", line, "the child saved once");
                    Thread.sleep(20 + rng.nextInt(200));
                } finally {
                    child.destroyForcibly();
                    child.waitFor(20, TimeUnit.SECONDS);
                }
                List<String> left = AtomicFileTest.names(dir);
                if (left.size() > 1) midWrite[0]++;
                Map<String, Tensor> back = SafeTensors.load(target);
                int which = (int) back.get("which").item();
                float[] w = back.get("w").toFloatArray();
                assertEquals(SaveLoop.ELEMENTS, w.length);
                for (float v : w) if (v != which) throw new AssertionError("a mixed file: " + v + " in save " + which);
                assertEquals(List.of("model.safetensors"), AtomicFileTest.names(dir), "the load removed the killed save's temporary file");
            }
        });
        assertTrue(midWrite[0] >= 1, "at least one of " + KILLS + " kills landed during a write (" + midWrite[0] + " did)");
    }
}
