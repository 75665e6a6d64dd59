package dev.janus.spark;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Scores one partition: its rows in batches through the calling thread's compiled {@link Scorer}
 * for the broadcast model (compiled on the thread's first partition, then reused), each row given
 * back with the new columns appended.
 */
final class ScorePartition implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1;
    /** Per task thread: the scorers of the last few models it scored with, by broadcast id. */
    private static final ThreadLocal<Map<Long, Scorer>> SCORERS = ThreadLocal.withInitial(() -> new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Scorer> eldest) {
            return size() > 4;
        }
    });

    private final Broadcast<byte[]> model;
    private final String source;
    private final RowFeatures features;
    private final int batch;

    ScorePartition(Broadcast<byte[]> model, String source, RowFeatures features, int batch) {
        this.model = model;
        this.source = source;
        this.features = features;
        this.batch = batch;
    }

    static Scorer scorer(Broadcast<byte[]> model, String source, int batch) {
        return SCORERS.get().computeIfAbsent(model.id(), id -> new Scorer(Scorer.graph(model.value(), source), batch));
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        Scorer scorer = scorer(model, source, batch);
        return new Iterator<>() {
            private final List<Row> pending = new ArrayList<>();
            private final float[] x = new float[scorer.batch() * scorer.width()];
            private float[] y;
            private int next;

            @Override
            public boolean hasNext() {
                if (next < pending.size()) return true;
                pending.clear();
                next = 0;
                while (pending.size() < scorer.batch() && rows.hasNext()) {
                    Row r = rows.next();
                    features.read(r, x, pending.size() * scorer.width());
                    pending.add(r);
                }
                if (pending.isEmpty()) return false;
                y = scorer.score(x, pending.size());
                return true;
            }

            @Override
            public Row next() {
                if (!hasNext()) throw new NoSuchElementException();
                Row r = pending.get(next);
                int k = scorer.outputs(), at = next * k;
                next++;
                Object[] values = new Object[r.size() + (scorer.classifier() ? 2 : 1)];
                for (int i = 0; i < r.size(); i++) values[i] = r.get(i);
                if (scorer.classifier()) {
                    int best = 0;
                    float[] p = new float[k];
                    for (int j = 0; j < k; j++) {
                        p[j] = y[at + j];
                        if (p[j] > p[best]) best = j;
                    }
                    values[r.size()] = (double) best;
                    values[r.size() + 1] = new scala.collection.immutable.ArraySeq.ofFloat(p);
                } else {
                    values[r.size()] = (double) y[at];
                }
                return RowFactory.create(values);
            }
        };
    }
}
