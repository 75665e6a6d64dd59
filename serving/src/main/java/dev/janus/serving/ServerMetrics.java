package dev.janus.serving;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The server's Prometheus metrics (its own registry, served at /metrics in the text format):
 * requests, failures, inferences (rows) and executions (model runs) per model and version; request,
 * queue and compute times and batch sizes as histograms; HTTP responses by status; loaded versions
 * and refused loads.
 */
final class ServerMetrics {
    private static final double[] SECONDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    private static final double[] ROWS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384, 65536};

    final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter success = counter("janus_inference_request_success", "Inference requests answered, per model and version", "model", "version");
    private final Counter failure = counter("janus_inference_request_failure", "Inference requests that failed, per model, version and reason", "model", "version", "reason");
    private final Counter inferences = counter("janus_inference_count", "Inferences (batch rows) computed, per model and version", "model", "version");
    private final Counter executions = counter("janus_inference_exec_count", "Model runs (one per batch), per model and version", "model", "version");
    private final Histogram requestTime = histogram("janus_inference_request_duration_seconds", "Time from a request's arrival to its answer", SECONDS);
    private final Histogram queueTime = histogram("janus_inference_queue_duration_seconds", "Time a request waited in its model's queue", SECONDS);
    private final Histogram batchSize = histogram("janus_inference_batch_size", "Rows per model run (dynamic batching merges requests)", ROWS);
    private final Counter http = counter("janus_http_responses", "HTTP responses by status code", "code");
    private final Gauge ready = Gauge.builder().name("janus_model_ready").help("1 for each model version loaded and serving")
            .labelNames("model", "version").register(registry);
    private final Counter loadFailures = counter("janus_model_load_failures", "Model versions refused at load (corrupt, incompatible), per model", "model");
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    private Counter counter(String name, String help, String... labels) {
        return Counter.builder().name(name).help(help).labelNames(labels).withoutExemplars().register(registry);
    }

    private Histogram histogram(String name, String help, double[] bounds) {
        return Histogram.builder().name(name).help(help).labelNames("model", "version").classicOnly().classicUpperBounds(bounds)
                .withoutExemplars().register(registry);
    }

    /** The series of one model version, looked up once. */
    final class ModelSeries {
        final String model, version;
        private final CounterDataPoint ok, rows, runs;
        private final DistributionDataPoint total, queued, batch;

        ModelSeries(String model, String version) {
            this.model = model;
            this.version = version;
            ok = success.labelValues(model, version);
            rows = inferences.labelValues(model, version);
            runs = executions.labelValues(model, version);
            total = requestTime.labelValues(model, version);
            queued = queueTime.labelValues(model, version);
            batch = batchSize.labelValues(model, version);
        }

        void succeeded(long nanos) {
            ok.inc();
            total.observe(nanos / 1e9);
        }

        void failed(String reason, long nanos) {
            failure.labelValues(model, version, reason).inc();
            total.observe(nanos / 1e9);
        }

        void queued(long nanos) {
            queued.observe(nanos / 1e9);
        }

        void executed(int batchRows) {
            runs.inc();
            rows.inc(batchRows);
            batch.observe(batchRows);
        }
    }

    ModelSeries model(String model, long version) {
        return new ModelSeries(model, Long.toString(version));
    }

    void loaded(String model, long version) {
        ready.labelValues(model, Long.toString(version)).set(1);
    }

    void unloaded(String model, long version) {
        ready.remove(model, Long.toString(version));
    }

    void loadFailed(String model) {
        loadFailures.labelValues(model).inc();
    }

    void response(int status) {
        http.labelValues(Integer.toString(status)).inc();
    }

    String contentType() {
        return writer.getContentType();
    }

    byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
