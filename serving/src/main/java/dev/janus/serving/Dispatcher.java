package dev.janus.serving;

import dev.janus.core.Tensor;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * One inference, whatever the protocol: find the version, read and validate the request against
 * it, queue it and wait for the outputs, counting the outcome. A version that is being swapped out
 * between the look-up and the queue sends the request to its successor, so a hot reload drops
 * nothing.
 */
final class Dispatcher {
    /** What a request gets back: the version that ran it and its outputs, in the model's order. */
    static final class Result {
        final ModelVersion version;
        final List<Tensor> outputs;

        Result(ModelVersion version, List<Tensor> outputs) {
            this.version = version;
            this.outputs = outputs;
        }
    }

    private final ModelRepository repository;
    private final long timeoutMillis;

    Dispatcher(ModelRepository repository, long timeoutMillis) {
        this.repository = repository;
        this.timeoutMillis = timeoutMillis;
    }

    ModelVersion find(String model, Long version) {
        return repository.find(model, version);
    }

    /** The versions of a model being served, oldest first (empty when it has none). */
    Iterable<Long> versions(String model) {
        ModelRepository.Model m = repository.model(model);
        return m == null ? List.of() : m.versions.keySet();
    }

    ModelRepository.Model model(String model) {
        return repository.model(model);
    }

    /** {@code read} turns the body into named input tensors for the version found. */
    Result infer(String model, Long version, Function<ModelVersion, Map<String, Tensor>> read) {
        long start = System.nanoTime();
        for (int attempt = 0; ; attempt++) {
            ModelVersion v = repository.find(model, version);
            CompletableFuture<List<Tensor>> future;
            try {
                future = v.infer(v.prepare(read.apply(v)));
            } catch (Scheduler.Unloading e) {
                if (attempt < 3) continue;
                v.series.failed("unavailable", System.nanoTime() - start);
                throw ServingException.unavailable("model " + v + " is being reloaded; retry");
            } catch (ServingException e) {
                v.series.failed(e.status == 503 ? "overloaded" : "invalid", System.nanoTime() - start);
                throw e;
            }
            try {
                List<Tensor> out = future.get(timeoutMillis, TimeUnit.MILLISECONDS);
                v.series.succeeded(System.nanoTime() - start);
                return new Result(v, out);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof ServingException) {
                    v.series.failed("unavailable", System.nanoTime() - start);
                    throw (ServingException) cause;
                }
                v.series.failed("model_error", System.nanoTime() - start);
                throw new ServingException(500, "model " + v + " failed: " + cause.getMessage(), 0, cause);
            } catch (TimeoutException e) {
                v.series.failed("timeout", System.nanoTime() - start);
                throw new ServingException(504, "model " + v + " did not answer within " + timeoutMillis + " ms", 0, null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ServingException.unavailable("the server is shutting down");
            }
        }
    }
}
