package dev.janus.core.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs JavaScript under Node.js for tests of generated code: {@link #require()} skips the test
 * with a one-line reason where no {@code node} is installed; numbers travel as little-endian
 * float64 files ({@link #write}, {@link #read}).
 */
public final class NodeJs {
    private static String version;

    private NodeJs() {
    }

    /** The installed node's version ("v20.20.2"), or null when there is none. */
    public static synchronized String version() {
        if (version == null) {
            try {
                Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                version = p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "";
            } catch (IOException e) {
                version = "";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                version = "";
            }
        }
        return version.isEmpty() ? null : version;
    }

    /** Skips the calling test unless node is installed. */
    public static void require() {
        assumeTrue(version() != null, "skipped: no node on the PATH (install Node.js 18 or newer to run the generated JavaScript)");
    }

    /** Runs {@code node script args...} in {@code dir}; returns its output, or fails with it. */
    public static String run(Path dir, Path script, String... args) {
        List<String> cmd = new ArrayList<>(List.of("node", script.toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("node " + script + " did not finish in 120 s");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) throw new AssertionError("node " + script + " failed (exit " + p.exitValue() + "):\n" + text);
            return text;
        } catch (IOException e) {
            throw new AssertionError("cannot run node: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    public static void write(Path file, double[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) b.putDouble(v);
        Files.write(file, b.array());
    }

    public static double[] read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        double[] v = new double[b.remaining() / 8];
        for (int i = 0; i < v.length; i++) v[i] = b.getDouble();
        return v;
    }

    /**
     * A driver script taking triples of arguments (a module, an input file, an output file): it
     * imports each module, runs its {@code predict} on the input's float64 numbers and writes the
     * result as float64.
     */
    public static Path predictDriver(Path dir) throws IOException {
        Path script = dir.resolve("predict-driver.mjs");
        Files.writeString(script, String.join("\n",
                "import { readFileSync, writeFileSync } from 'node:fs';",
                "import { pathToFileURL } from 'node:url';",
                "import { resolve } from 'node:path';",
                "const args = process.argv.slice(2);",
                "for (let i = 0; i + 2 < args.length; i += 3) {",
                "  const m = await import(pathToFileURL(resolve(args[i])).href);",
                "  const b = readFileSync(args[i + 1]);",
                "  const y = Float64Array.from(m.predict(new Float64Array(b.buffer, b.byteOffset, b.length / 8)));",
                "  writeFileSync(args[i + 2], new Uint8Array(y.buffer));",
                "}",
                ""));
        return script;
    }

    /** Runs {@code predict} of the module on x's numbers under node; returns the outputs. */
    public static double[] predict(Path module, double[] x) throws IOException {
        Path dir = Files.createTempDirectory("janus-node-");
        try {
            Path in = dir.resolve("x.bin"), out = dir.resolve("y.bin");
            write(in, x);
            run(dir, predictDriver(dir), module.toAbsolutePath().toString(), in.toString(), out.toString());
            return read(out);
        } finally {
            for (String f : new String[] {"x.bin", "y.bin", "predict-driver.mjs"}) Files.deleteIfExists(dir.resolve(f));
            Files.deleteIfExists(dir);
        }
    }
}
