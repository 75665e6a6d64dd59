package dev.janus.serving;

import dev.janus.core.Shape;
import dev.janus.core.Tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue in front of one model version and the workers that run it, as Triton's schedulers: a
 * bounded queue (a full one refuses with 503 and Retry-After), one worker per model instance, and
 * with dynamic batching each worker merges queued requests of the same row shape into one batch of
 * at most {@code maxBatchSize} rows, waiting at most {@code maxQueueDelay} after the oldest arrived,
 * runs it once and hands each request its own rows. A batch that fails is rerun request by request,
 * so a request that breaks the model fails alone. {@link #close} refuses new requests, lets the
 * workers finish what is queued and then stops them.
 */
final class Scheduler {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

    /** One request: its inputs (in the model's order, validated), how many rows they hold, and where its outputs go. */
    static final class Job {
        final Tensor[] inputs;
        final int rows;
        final long enqueued = System.nanoTime();
        final CompletableFuture<List<Tensor>> result = new CompletableFuture<>();

        Job(Tensor[] inputs, int rows) {
            this.inputs = inputs;
            this.rows = rows;
        }

        /** Requests batch together when their inputs agree in every dimension after the first. */
        boolean batchesWith(Job o) {
            for (int i = 0; i < inputs.length; i++) {
                Shape a = inputs[i].shape(), b = o.inputs[i].shape();
                if (a.rank() != b.rank()) return false;
                for (int d = 1; d < a.rank(); d++) if (a.dim(d) != b.dim(d)) return false;
            }
            return true;
        }
    }

    private final String label;
    private final Engine engine;
    private final boolean batching;
    private final int maxBatchSize, maxQueueSize;
    private final long maxDelayNanos;
    private final ServerMetrics.ModelSeries metrics;
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<Thread> workers = new ArrayList<>();
    private boolean closed;

    Scheduler(String label, Engine engine, int instances, boolean batching, int maxBatchSize, long maxDelayMicros, int maxQueueSize,
              ServerMetrics.ModelSeries metrics) {
        this.label = label;
        this.engine = engine;
        this.batching = batching;
        this.maxBatchSize = Math.max(1, maxBatchSize);
        this.maxDelayNanos = TimeUnit.MICROSECONDS.toNanos(maxDelayMicros);
        this.maxQueueSize = maxQueueSize;
        this.metrics = metrics;
        for (int i = 0; i < instances; i++) {
            Engine.Runner runner = engine.newRunner();
            if (batching) warmUp(runner);
            Thread t = new Thread(() -> work(runner), "janus-model-" + label + "-" + i);
            t.setDaemon(true);
            workers.add(t);
        }
        for (Thread t : workers) t.start();
    }

    /** Runs every padded batch size once (zeros), so that no request waits for a plan to compile. */
    private void warmUp(Engine.Runner runner) {
        int last = 0;
        for (int rows = 1; rows <= maxBatchSize; rows++) {
            int padded = engine.paddedRows(rows, maxBatchSize);
            if (padded == last) continue;
            last = padded;
            Tensor[] in = new Tensor[engine.inputs().size()];
            for (int i = 0; i < in.length; i++) in[i] = engine.inputs().get(i).zeros(padded);
            try {
                runner.run(in);
            } catch (RuntimeException e) {   // such a batch will fail and be rerun request by request: slower, never wrong
                LOG.warn("model {}: warming up a batch of {} rows failed: {}", label, padded, e.getMessage());
            }
        }
    }

    /** Queues a validated request; refuses (503) when the queue is full or the version is being unloaded. */
    CompletableFuture<List<Tensor>> submit(Tensor[] inputs, int rows) {
        Job job = new Job(inputs, rows);
        lock.lock();
        try {
            if (closed) throw new Unloading();
            if (queue.size() >= maxQueueSize) {
                throw ServingException.unavailable("model " + label + " is overloaded: its queue holds " + maxQueueSize + " requests; retry later");
            }
            queue.addLast(job);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return job.result;
    }

    /** Thrown by {@link #submit} once the version is closing: the caller looks the model up again. */
    static final class Unloading extends RuntimeException {
        Unloading() {
            super(null, null, false, false);
        }
    }

    int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    private void work(Engine.Runner runner) {
        while (true) {
            List<Job> batch;
            try {
                batch = take();
            } catch (InterruptedException e) {
                return;
            }
            if (batch == null) return;
            run(runner, batch);
        }
    }

    /** The next batch; null once closed and drained. */
    private List<Job> take() throws InterruptedException {
        lock.lock();
        try {
            while (queue.isEmpty()) {
                if (closed) return null;
                changed.await();
            }
            if (!batching) return List.of(queue.pollFirst());
            Job first = queue.peekFirst();
            long deadline = first.enqueued + maxDelayNanos;
            while (!closed && rowsReady(first) < maxBatchSize) {
                long wait = deadline - System.nanoTime();
                if (wait <= 0) break;
                changed.awaitNanos(wait);
                if (queue.peekFirst() != first) break;   // another worker took it
            }
            List<Job> batch = new ArrayList<>();
            if (queue.isEmpty()) return batch;
            first = queue.pollFirst();
            batch.add(first);
            int rows = first.rows;
            for (Iterator<Job> it = queue.iterator(); it.hasNext() && rows < maxBatchSize; ) {
                Job j = it.next();
                if (rows + j.rows <= maxBatchSize && j.batchesWith(first)) {
                    it.remove();
                    batch.add(j);
                    rows += j.rows;
                }
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    private int rowsReady(Job first) {
        int rows = 0;
        for (Job j : queue) {
            if (j.batchesWith(first)) rows += j.rows;
            if (rows >= maxBatchSize) break;
        }
        return rows;
    }

    private void run(Engine.Runner runner, List<Job> batch) {
        if (batch.isEmpty()) return;
        long start = System.nanoTime();
        for (Job j : batch) metrics.queued(start - j.enqueued);
        int rows = 0;
        for (Job j : batch) rows += j.rows;
        int padded = batching ? engine.paddedRows(rows, maxBatchSize) : rows;
        if (batch.size() == 1 && padded == rows) {
            runAlone(runner, batch.get(0));
            return;
        }
        List<Tensor> outputs;
        try {
            Tensor[] merged = new Tensor[batch.get(0).inputs.length];
            List<Tensor> parts = new ArrayList<>(batch.size());
            for (int i = 0; i < merged.length; i++) {
                parts.clear();
                for (Job j : batch) parts.add(j.inputs[i]);
                merged[i] = BatchRows.concat(parts, padded);
            }
            outputs = runner.run(merged);
            for (Tensor t : outputs) {
                if (t.rank() == 0 || t.dim(0) != padded) throw new IllegalStateException("an output does not keep the batch dimension");
            }
        } catch (Throwable e) {   // whatever a batch does, each request still gets its own answer
            for (Job j : batch) runAlone(runner, j);   // one bad request must not fail the others
            return;
        }
        metrics.executed(rows);
        List<Object> elements = new ArrayList<>(outputs.size());
        for (Tensor t : outputs) elements.add(BatchRows.elements(t));
        int at = 0;
        for (Job j : batch) {
            List<Tensor> mine = new ArrayList<>(outputs.size());
            for (int o = 0; o < outputs.size(); o++) mine.add(BatchRows.slice(outputs.get(o), elements.get(o), at, at + j.rows));
            at += j.rows;
            j.result.complete(mine);
        }
    }

    private void runAlone(Engine.Runner runner, Job job) {
        try {
            List<Tensor> out = runner.run(job.inputs);
            List<Tensor> copies = new ArrayList<>(out.size());
            for (Tensor t : out) copies.add(t.copy());
            metrics.executed(job.rows);
            job.result.complete(copies);
        } catch (Throwable e) {   // an error (even out of memory) fails this request, not the worker
            job.result.completeExceptionally(e);
        }
    }

    /** Refuses new requests, runs what is queued, stops the workers (waiting at most {@code timeoutMillis}), then closes the engine. */
    void close(long timeoutMillis) {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        for (Thread t : workers) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        lock.lock();
        try {
            for (Job j : queue) j.result.completeExceptionally(ServingException.unavailable("model " + label + " was unloaded"));
            queue.clear();
        } finally {
            lock.unlock();
        }
        boolean stopped = true;
        for (Thread t : workers) stopped &= !t.isAlive();
        // A worker still inside a run past the timeout keeps its engine: closing native memory under it could crash the JVM.
        if (stopped) engine.close();
    }
}
