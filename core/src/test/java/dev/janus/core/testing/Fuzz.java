package dev.janus.core.testing;

import dev.janus.core.Generator;
import dev.janus.core.JanusException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded byte mutations of valid files, for fuzz tests of the readers: every mutated file must load
 * or be refused with the library's own exception (a JanusException), never another exception, an
 * OutOfMemoryError, a stack overflow or a hang.
 */
public final class Fuzz {
    private Fuzz() {
    }

    /** One to four edits: a random byte, a flipped bit, a cut, a byte deleted or inserted, a large varint or length byte. */
    public static byte[] mutate(byte[] in, Generator rng) {
        byte[] b = in.clone();
        int edits = 1 + rng.nextInt(4);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = rng.nextInt(b.length);
            switch (rng.nextInt(6)) {
                case 0: b[at] = (byte) rng.nextInt(256); break;
                case 1: b[at] ^= (byte) (1 << rng.nextInt(8)); break;
                case 2: b = Arrays.copyOf(b, at); break;
                case 3: {   // delete one byte
                    byte[] c = new byte[b.length - 1];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + 1, c, at, b.length - at - 1);
                    b = c;
                    break;
                }
                case 4: {   // insert one byte
                    byte[] c = new byte[b.length + 1];
                    System.arraycopy(b, 0, c, 0, at);
                    c[at] = (byte) rng.nextInt(256);
                    System.arraycopy(b, at, c, at + 1, b.length - at);
                    b = c;
                    break;
                }
                default: b[at] = (byte) (rng.nextInt(2) == 0 ? 0xff : 0x7f);   // a large varint or length
            }
        }
        return b;
    }

    /**
     * Feeds {@code cases} mutations of the seeds (in turn) to {@code reader}, and asserts that each
     * loaded or threw a JanusException, and that both outcomes happened at least {@code atLeast} times.
     */
    public static void run(List<byte[]> seeds, long seed, int cases, int atLeast, Duration limit, Consumer<byte[]> reader) {
        Generator rng = new Generator(seed);
        int[] outcome = new int[2];
        List<String> wrong = new ArrayList<>();
        assertTimeoutPreemptively(limit, () -> {
            for (int i = 0; i < cases; i++) {
                byte[] bytes = mutate(seeds.get(i % seeds.size()), rng);
                try {
                    reader.accept(bytes);
                    outcome[0]++;
                } catch (JanusException e) {
                    outcome[1]++;
                } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                    if (wrong.size() < 10) wrong.add("case " + i + ": " + e + " at " + Arrays.toString(Arrays.copyOf(e.getStackTrace(), 3)));
                }
            }
        });
        assertEquals(List.of(), wrong);
        assertEquals(cases, outcome[0] + outcome[1]);
        assertTrue(outcome[0] >= atLeast && outcome[1] >= atLeast,
                "both outcomes are exercised: " + outcome[0] + " loaded, " + outcome[1] + " refused");
    }
}
