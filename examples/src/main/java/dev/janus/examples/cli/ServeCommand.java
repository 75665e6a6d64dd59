package dev.janus.examples.cli;

import dev.janus.serving.ModelServer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/** {@code janus serve --model-repository DIR}: the model server (dev.janus.serving.ModelServer) until Ctrl-C. */
final class ServeCommand implements Command {
    @Override
    public String name() {
        return "serve";
    }

    @Override
    public String summary() {
        return "serve a model repository over HTTP (KServe v2 and TF Serving REST, Prometheus metrics)";
    }

    @Override
    public String help() {
        return "usage: janus serve --model-repository DIR [--port 8080] [--host 127.0.0.1] [options]\n\n"
                + "Serves the models of DIR, laid out as Triton's repository: DIR/<model>/<version>/model.onnx (or model.janus,\n"
                + "a model saved with Sequential.save or janus train --save), with an optional DIR/<model>/config.json (Triton's\n"
                + "field names: backend, max_batch_size, dynamic_batching, instance_group, version_policy). Both protocols at\n"
                + "once: KServe v2 (POST /v2/models/<model>/infer, GET /v2/health/ready, ...) and TensorFlow Serving\n"
                + "(POST /v1/models/<model>:predict, GET /v1/models/<model>), with Prometheus metrics at /metrics. The folder is\n"
                + "watched: new versions load and take over, broken ones are refused (the old one keeps serving), removed ones\n"
                + "unload. Ctrl-C (or SIGTERM) stops accepting requests, finishes those in flight, and exits.\n\n"
                + "  --model-repository DIR   the model repository (required)\n"
                + "  --port N                 port (default 8080; 0: any free one, printed)\n"
                + "  --host ADDR              address to listen on (default 127.0.0.1, this machine only; 0.0.0.0 for all)\n"
                + "  --token-file FILE        require 'Authorization: Bearer <token>' with the token in FILE (health checks excepted)\n"
                + "  --tls-keystore FILE      serve HTTPS with the key and certificate of this keystore (PKCS12 or JKS)\n"
                + "  --tls-password-file FILE the keystore's password (default: the JANUS_TLS_PASSWORD environment variable)\n"
                + "  --access-log FILE        access log (NCSA extended), '-' for standard output (the default), 'off' for none\n"
                + "  --poll-seconds N         how often the repository is scanned for changes (default 1; 0: never)\n"
                + "  --max-batch-size N       largest batch of a model whose config does not say (default 64)\n"
                + "  --max-body-mb N          largest request body in MiB (default 16; 413 beyond)\n";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws CliError {
        Args a = Args.parse(args, Set.of("model-repository", "port", "host", "token-file", "tls-keystore", "tls-password-file", "access-log",
                "poll-seconds", "max-batch-size", "max-body-mb"), Set.of());
        if (!a.positional().isEmpty()) throw CliError.usage("unexpected arguments " + a.positional());
        String dir = a.get("model-repository", null);
        if (dir == null) throw CliError.usage("--model-repository DIR is required");
        Path repo = Path.of(dir);
        if (!Files.isDirectory(repo)) throw CliError.input(dir + ": no such folder", null);
        int port = a.integer("port", 8080, 0);
        if (port > 65535) throw CliError.usage("--port must be 0 to 65535, got " + port);
        // Loads, refusals and unloads are the server's news: show them (the launcher keeps the rest of the log to warnings).
        System.setProperty("org.slf4j.simpleLogger.log.dev.janus.serving", "info");
        ModelServer.Builder b = ModelServer.builder().modelRepository(repo).port(port).host(a.get("host", "127.0.0.1"))
                .pollInterval(Duration.ofSeconds(a.integer("poll-seconds", 1, 0)))
                .maxBatchSize(a.integer("max-batch-size", 64, 1))
                .maxBodyBytes((long) a.integer("max-body-mb", 16, 1) << 20);
        String token = a.get("token-file", null);
        if (token != null) b.bearerToken(firstLine(token, "--token-file"));
        String keystore = a.get("tls-keystore", null);
        if (keystore != null) {
            String pwFile = a.get("tls-password-file", null);
            String pw = pwFile != null ? firstLine(pwFile, "--tls-password-file") : System.getenv("JANUS_TLS_PASSWORD");
            if (pw == null) throw CliError.usage("--tls-keystore needs the password: --tls-password-file FILE or JANUS_TLS_PASSWORD");
            b.tls(Path.of(keystore), pw);
        }
        String log = a.get("access-log", "-");
        if (log.equals("-")) b.accessLog(out::println);
        else if (!log.equals("off")) b.accessLog(Path.of(log));

        ModelServer server;
        try {
            server = b.start();
        } catch (IllegalArgumentException e) {
            throw CliError.input(e.getMessage(), e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "janus-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("janus serve: serving " + repo + " at " + server.uri() + " (KServe v2 at /v2, TF Serving at /v1, metrics at /metrics); Ctrl-C stops");
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            // Stopped from inside the JVM (tests): the same graceful close as Ctrl-C.
            Runtime.getRuntime().removeShutdownHook(hook);
            server.close();
        }
        out.println("janus serve: stopped");
        return 0;
    }

    private static String firstLine(String file, String option) throws CliError {
        try {
            List<String> lines = Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
            if (lines.isEmpty() || lines.get(0).isBlank()) throw CliError.input(option + " " + file + " is empty", null);
            return lines.get(0).strip();
        } catch (IOException e) {
            throw CliError.input(option + " " + file + ": " + e.getMessage(), e);
        }
    }
}
