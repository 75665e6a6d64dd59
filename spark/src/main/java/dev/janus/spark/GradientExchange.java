package dev.janus.spark;

/**
 * How the workers of a barrier stage combine a vector each step: every worker sends its vector and
 * a weight, and every worker gets back the weighted mean, the same bits on every worker.
 */
interface GradientExchange extends AutoCloseable {
    /** The mean of every worker's {@code local}, weighted by {@code weight} (rows in its batch; 0 leaves it out). */
    float[] average(float[] local, int weight);

    @Override
    void close();

    /**
     * The weighted mean of the workers' vectors, summed in double in worker order, so that every
     * worker (and the driver) computes the same bits. All weights 0 gives zeros.
     */
    static float[] combine(int[] weights, float[][] vectors) {
        int n = vectors[0].length;
        long total = 0;
        for (int w : weights) total += w;
        float[] out = new float[n];
        if (total == 0) return out;
        double[] sum = new double[n];
        for (int k = 0; k < vectors.length; k++) {
            if (weights[k] == 0) continue;
            if (vectors[k].length != n) throw new IllegalStateException("worker " + k + " sent " + vectors[k].length + " numbers, worker 0 " + n);
            float[] v = vectors[k];
            double w = weights[k];
            for (int i = 0; i < n; i++) sum[i] += w * v[i];
        }
        for (int i = 0; i < n; i++) out[i] = (float) (sum[i] / total);
        return out;
    }
}
