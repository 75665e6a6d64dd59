package dev.janus.cuda;

/** Philox4x32-10 on the host, the reference the GPU dropout is checked against (and checked itself against Random123's test vector). */
final class PhiloxReference {
    private PhiloxReference() {
    }

    static int[] philox(int[] counter, int k0, int k1) {
        int c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3];
        for (int r = 0; r < 10; r++) {
            long p0 = 0xD2511F53L * (c0 & 0xFFFFFFFFL), p1 = 0xCD9E8D57L * (c2 & 0xFFFFFFFFL);
            int h0 = (int) (p0 >>> 32), l0 = (int) p0, h1 = (int) (p1 >>> 32), l1 = (int) p1;
            int n0 = h1 ^ c1 ^ k0, n2 = h0 ^ c3 ^ k1;
            c0 = n0;
            c1 = l1;
            c2 = n2;
            c3 = l0;
            k0 += 0x9E3779B9;
            k1 += 0xBB67AE85;
        }
        return new int[] {c0, c1, c2, c3};
    }

    /** The dropout kernel's mask for n elements. */
    static float[] mask(int n, float drop, float keep, long key) {
        float[] m = new float[n];
        for (int i = 0; i < n; i++) {
            int[] c = philox(new int[] {i >> 2, 0, 0, 0}, (int) key, (int) (key >>> 32));
            float u = (c[i & 3] >>> 8) * (1.0f / 16777216.0f);
            m[i] = u >= drop ? keep : 0;
        }
        return m;
    }
}
