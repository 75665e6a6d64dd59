package dev.janus.serving;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.janus.core.JanusException;
import org.eclipse.jetty.server.CustomRequestLog;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.RequestLogWriter;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A model server: the models of a repository in Triton's layout, served over the Open Inference
 * Protocol (KServe v2) REST API and TensorFlow Serving's REST API at once, with Prometheus metrics
 * at /metrics.
 *
 * <pre>{@code
 * try (ModelServer server = ModelServer.builder().modelRepository(Path.of("models")).port(8080).start()) {
 *     // POST http://127.0.0.1:8080/v2/models/iris/infer, POST http://127.0.0.1:8080/v1/models/iris:predict ...
 * }
 * }</pre>
 *
 * The repository is {@code DIR/<model>/<version>/model.onnx} (or {@code model.janus}, a saved
 * {@code Sequential}) with an optional {@code DIR/<model>/config.json} (see the README). It is
 * polled for changes: new versions load and take over without dropping requests, a corrupt or
 * incompatible one is refused and the old one keeps serving, removed ones unload. The server binds
 * to the loopback address unless told otherwise; a bearer token and TLS are options. {@link #close}
 * stops accepting connections, finishes the requests in flight and unloads the models.
 */
public final class ModelServer implements AutoCloseable {
    private final Server jetty;
    private final ModelRepository repository;
    private final ScheduledExecutorService poller;
    private final boolean tls;
    private final String host;
    private volatile boolean draining, closed;

    private ModelServer(Builder b) {
        ServerSettings settings = new ServerSettings(b.maxBatchSize, b.maxQueueSize, b.instances, b.drainTimeout.toMillis());
        ServerMetrics metrics = new ServerMetrics();
        repository = new ModelRepository(b.repository, settings, metrics);
        repository.poll();
        ObjectMapper mapper = JsonMappers.mapper(b.maxJsonDepth);
        Dispatcher dispatcher = new Dispatcher(repository, b.requestTimeout.toMillis());
        HttpFront front = new HttpFront(mapper, new KServeV2(mapper, dispatcher), new TfServing(mapper, dispatcher), metrics, repository,
                b.maxBodyBytes, b.token, () -> draining);

        QueuedThreadPool threads = new QueuedThreadPool(b.maxThreads, Math.min(8, b.maxThreads));
        threads.setName("janus-http");
        jetty = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        ServerConnector connector;
        tls = b.keystore != null;
        if (tls) {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStorePath(b.keystore.toAbsolutePath().toString());
            ssl.setKeyStorePassword(b.keystorePassword);
            connector = new ServerConnector(jetty, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(http));
        } else {
            connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
        }
        host = b.host;
        connector.setHost(b.host);
        connector.setPort(b.port);
        jetty.addConnector(connector);
        GracefulHandler graceful = new GracefulHandler(front);
        graceful.setShutdownIdleTimeout(100);   // idle keep-alive connections close soon after shutdown starts
        jetty.setHandler(graceful);
        jetty.setStopTimeout(b.drainTimeout.toMillis());
        if (b.accessLog != null) jetty.setRequestLog(new CustomRequestLog(b.accessLog, CustomRequestLog.EXTENDED_NCSA_FORMAT));
        if (b.pollInterval.isZero()) {
            poller = null;
        } else {
            poller = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "janus-repository-poll");
                t.setDaemon(true);
                return t;
            });
            long ms = b.pollInterval.toMillis();
            poller.scheduleWithFixedDelay(this::pollQuietly, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    private void pollQuietly() {
        try {
            repository.poll();
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(ModelServer.class).warn("polling the model repository failed: {}", e.toString());
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    private ModelServer startJetty() {
        try {
            jetty.start();
        } catch (Exception e) {
            close();
            throw new JanusException("cannot start the model server on " + host + ": " + e.getMessage(), e);
        }
        return this;
    }

    /** The port it listens on (the one the system chose when the builder gave 0). */
    public int port() {
        return ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
    }

    /** The base address, such as http://127.0.0.1:8080. */
    public URI uri() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return URI.create((tls ? "https" : "http") + "://" + h + ":" + port());
    }

    /** Scans the model repository now (it is also polled in the background unless polling is off). */
    public void refresh() {
        repository.poll();
    }

    /**
     * Graceful shutdown: not ready from now on, stops accepting connections, waits (up to the drain
     * timeout) for the requests in flight, then unloads every model after its queue has run.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        draining = true;
        if (poller != null) poller.shutdownNow();
        try {
            jetty.stop();
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(ModelServer.class).warn("stopping the HTTP server: {}", e.toString());
        } finally {
            repository.close();
        }
    }

    /** Settings for a {@link ModelServer}; {@link #start} makes and starts it. */
    public static final class Builder {
        private Path repository;
        private String host = "127.0.0.1";
        private int port = 8080;
        private String token;
        private Path keystore;
        private String keystorePassword;
        private RequestLog.Writer accessLog;
        private Duration pollInterval = Duration.ofSeconds(1), drainTimeout = Duration.ofSeconds(30), requestTimeout = Duration.ofSeconds(60);
        private int maxBatchSize = 64, maxQueueSize = 1024, instances = Math.max(1, Runtime.getRuntime().availableProcessors());
        private int maxJsonDepth = 32, maxThreads = 200;
        private long maxBodyBytes = 16L << 20;

        private Builder() {
        }

        /** The repository folder (required). */
        public Builder modelRepository(Path dir) {
            repository = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** The address to bind (default 127.0.0.1, this machine only; "0.0.0.0" for every interface). */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The port (default 8080; 0 lets the system choose, see {@link ModelServer#port}). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0 to 65535, got " + port);
            this.port = port;
            return this;
        }

        /** Requires "Authorization: Bearer {@code token}" on every endpoint but the two health checks. */
        public Builder bearerToken(String token) {
            if (token != null && token.isBlank()) throw new IllegalArgumentException("the bearer token is blank");
            this.token = token;
            return this;
        }

        /** Serves HTTPS only, with the key and certificate of this keystore (PKCS12 or JKS). */
        public Builder tls(Path keystore, String password) {
            this.keystore = Objects.requireNonNull(keystore, "keystore");
            this.keystorePassword = Objects.requireNonNull(password, "password");
            return this;
        }

        /** Writes an access log line (NCSA extended format) per request to this file (appended). */
        public Builder accessLog(Path file) {
            RequestLogWriter w = new RequestLogWriter(file.toAbsolutePath().toString());
            w.setAppend(true);
            accessLog = w;
            return this;
        }

        /** Hands each access log line (NCSA extended format) to {@code lines}. */
        public Builder accessLog(Consumer<String> lines) {
            Objects.requireNonNull(lines, "lines");
            accessLog = lines::accept;
            return this;
        }

        /** How often the repository is scanned for changes (default 1 s; zero: never, see {@link ModelServer#refresh}). */
        public Builder pollInterval(Duration every) {
            pollInterval = positiveOrZero(every, "pollInterval");
            return this;
        }

        /** How long {@link ModelServer#close} waits for requests in flight (default 30 s). */
        public Builder drainTimeout(Duration timeout) {
            drainTimeout = positiveOrZero(timeout, "drainTimeout");
            return this;
        }

        /** How long a request may wait for its model (default 60 s; then 504). */
        public Builder requestTimeout(Duration timeout) {
            requestTimeout = positiveOrZero(timeout, "requestTimeout");
            return this;
        }

        /** The largest batch of a model whose config does not say (default 64). */
        public Builder maxBatchSize(int n) {
            maxBatchSize = atLeast(n, 1, "maxBatchSize");
            return this;
        }

        /** Requests a model may hold queued before it answers 503 with Retry-After (default 1024). */
        public Builder maxQueueSize(int n) {
            maxQueueSize = atLeast(n, 1, "maxQueueSize");
            return this;
        }

        /** Worker threads (model instances) of a model without dynamic batching whose config does not say (default: the cores). */
        public Builder instances(int n) {
            instances = atLeast(n, 1, "instances");
            return this;
        }

        /** The largest request body (default 16 MiB; 413 beyond). A JSON body is parsed into a tree of about 30 bytes per number. */
        public Builder maxBodyBytes(long n) {
            if (n < 1 || n > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("maxBodyBytes must be 1 to 2^31 - 17, got " + n);
            maxBodyBytes = n;
            return this;
        }

        /** The deepest JSON nesting a request may have (default 32). */
        public Builder maxJsonDepth(int n) {
            maxJsonDepth = atLeast(n, 4, "maxJsonDepth");
            return this;
        }

        /** HTTP worker threads (default 200). */
        public Builder maxThreads(int n) {
            maxThreads = atLeast(n, 4, "maxThreads");
            return this;
        }

        /** Loads the repository (each model that fails is logged and left out) and starts serving. */
        public ModelServer start() {
            if (repository == null) throw new IllegalStateException("modelRepository(dir) is required");
            return new ModelServer(this).startJetty();
        }

        private static int atLeast(int n, int min, String what) {
            if (n < min) throw new IllegalArgumentException(what + " must be at least " + min + ", got " + n);
            return n;
        }

        private static Duration positiveOrZero(Duration d, String what) {
            if (d == null || d.isNegative()) throw new IllegalArgumentException(what + " must be zero or more");
            return d;
        }
    }
}
