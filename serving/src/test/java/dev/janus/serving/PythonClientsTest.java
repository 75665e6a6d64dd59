package dev.janus.serving;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The official Python clients (tritonclient[http] for KServe v2, requests for TF Serving) against
 * the server: src/test/python/peer_clients.py (without tritonclient, its v2 checks go through
 * requests in tritonclient's wire format, and it says so). Runs where JANUS_PYTHON names a Python
 * with requests (as benchmarks find theirs); skipped elsewhere, since the Java tests never need Python.
 */
class PythonClientsTest {
    @TempDir
    Path repo;

    @Test
    void officialClients() throws Exception {
        String python = System.getenv("JANUS_PYTHON");
        Assumptions.assumeTrue(python != null && Files.isExecutable(Path.of(python)), "JANUS_PYTHON is not set: no Python peer");
        Process probe = new ProcessBuilder(python, "-c", "import requests, numpy").redirectErrorStream(true).start();
        Assumptions.assumeTrue(probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0, "JANUS_PYTHON lacks requests or numpy");

        TestModels.halfPlusThree(repo, "half_plus_three", 1);
        TestModels.twoInTwoOut(repo, "two_in_two_out", 1);
        try (ModelServer server = ModelServer.builder().modelRepository(repo).port(0).pollInterval(Duration.ZERO).start()) {
            Process p = new ProcessBuilder(python, Path.of("src/test/python/peer_clients.py").toString(), "127.0.0.1:" + server.port())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains(" passed, 0 failed"), out);
        }
    }
}
