package dev.janus.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The host Philox against Random123's known-answer vectors (kat_vectors: philox4x32 10 rounds). */
class PhiloxReferenceTest {
    @Test
    void knownAnswers() {
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
                PhiloxReference.philox(new int[] {0, 0, 0, 0}, 0, 0));
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
                PhiloxReference.philox(new int[] {-1, -1, -1, -1}, -1, -1));
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                PhiloxReference.philox(new int[] {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, 0xa4093822, 0x299f31d0));
    }
}
