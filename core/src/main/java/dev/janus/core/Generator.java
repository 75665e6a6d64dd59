package dev.janus.core;

/**
 * A seeded random number generator (xoshiro256**, seeded through SplitMix64). The same seed gives
 * the same sequence, bit for bit, on every JVM: all randomness in Janus (initializers, dropout
 * masks, shuffling) comes from one of these, never from a hidden global source.
 * Not thread-safe: give each thread its own.
 */
public final class Generator {
    /** The default seed of the global generator, so that unseeded programs still repeat. */
    public static final long DEFAULT_SEED = 67280421310721L;
    private static final Generator GLOBAL = new Generator(DEFAULT_SEED);

    private long s0, s1, s2, s3;
    private double spare;
    private boolean hasSpare;

    public Generator(long seed) {
        seed(seed);
    }

    private Generator(long[] state) {
        setState(state);
    }

    /** The process-wide generator that front ends use when the caller gives none. */
    public static Generator global() {
        return GLOBAL;
    }

    /** Reseeds the global generator, like {@code torch.manual_seed}. */
    public static void manualSeed(long seed) {
        GLOBAL.seed(seed);
    }

    public void seed(long seed) {
        long x = seed;
        s0 = splitMix(x += 0x9E3779B97F4A7C15L);
        s1 = splitMix(x += 0x9E3779B97F4A7C15L);
        s2 = splitMix(x += 0x9E3779B97F4A7C15L);
        s3 = splitMix(x + 0x9E3779B97F4A7C15L);
        hasSpare = false;
    }

    private static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** Uniform in [0, bound), without modulo bias (Lemire's multiply-and-reject). */
    public int nextInt(int bound) {
        if (bound <= 0) throw new JanusException("nextInt: bound must be positive, got " + bound);
        long m = (nextLong() >>> 32) * bound;
        if ((m & 0xFFFFFFFFL) < bound) {
            long threshold = (1L << 32) % bound;
            while ((m & 0xFFFFFFFFL) < threshold) m = (nextLong() >>> 32) * bound;
        }
        return (int) (m >>> 32);
    }

    /** Uniform in [0, 1) with 24 random bits. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Standard normal (Box-Muller with StrictMath, so values repeat on every JVM). */
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        double u1;
        do {
            u1 = nextDouble();
        } while (u1 == 0.0);
        double u2 = nextDouble();
        double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
        double theta = 2.0 * Math.PI * u2;
        spare = r * StrictMath.sin(theta);
        hasSpare = true;
        return r * StrictMath.cos(theta);
    }

    /** A random permutation of 0..n-1 (Fisher-Yates). */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** The full state, for checkpoints: restoring it with {@link #setState} repeats the sequence. */
    public long[] state() {
        return new long[] {s0, s1, s2, s3, hasSpare ? 1 : 0, Double.doubleToRawLongBits(spare)};
    }

    public void setState(long[] state) {
        if (state.length != 6) throw new JanusException("generator state must have 6 words, got " + state.length);
        if ((state[0] | state[1] | state[2] | state[3]) == 0) throw new JanusException("generator state is all zero");
        s0 = state[0];
        s1 = state[1];
        s2 = state[2];
        s3 = state[3];
        hasSpare = state[4] != 0;
        spare = Double.longBitsToDouble(state[5]);
    }

    /** An independent copy at the same point of the sequence. */
    public Generator copy() {
        return new Generator(state());
    }
}
