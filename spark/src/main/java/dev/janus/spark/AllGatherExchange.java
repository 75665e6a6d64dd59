package dev.janus.spark;

import org.apache.spark.BarrierTaskContext;

import java.nio.ByteBuffer;
import java.util.Base64;

/**
 * Combines through {@link BarrierTaskContext#allGather}: each worker's vector goes to the driver as
 * a string (Base64 of its floats) and every worker receives all of them and combines them itself.
 * The driver relays workers x workers vectors per step: right for small models only.
 */
final class AllGatherExchange implements GradientExchange {
    private final BarrierTaskContext ctx;

    AllGatherExchange(BarrierTaskContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public float[] average(float[] local, int weight) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * local.length);
        b.putInt(weight).asFloatBuffer().put(local);
        String[] all = ctx.allGather(Base64.getEncoder().encodeToString(b.array()));
        int[] weights = new int[all.length];
        float[][] vectors = new float[all.length][];
        for (int k = 0; k < all.length; k++) {
            ByteBuffer r = ByteBuffer.wrap(Base64.getDecoder().decode(all[k]));
            weights[k] = r.getInt();
            vectors[k] = new float[r.remaining() / 4];
            r.asFloatBuffer().get(vectors[k]);
        }
        return GradientExchange.combine(weights, vectors);
    }

    @Override
    public void close() {
    }
}
