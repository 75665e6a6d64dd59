package dev.janus.core.io;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.testing.Fuzz;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile safetensors files, made here: each is refused with a clear message naming the file, never
 * a stack overflow, an arithmetic error or an allocation of what the file merely declares. Big
 * files are sparse: they take no disk space, and nothing reads their holes.
 */
@Tag("reliability")
class CraftedSafeTensorsTest {
    private static final long GB = 1L << 30;

    private static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h).array();
    }

    private static String refusal(byte[] bytes) {
        return assertThrows(JanusException.class, () -> SafeTensors.decode(bytes, "crafted.safetensors")).getMessage();
    }

    @Test
    void aHeaderNested200000DeepIsRefusedWithoutAStackOverflow() {
        String deep = "{\"a\":" + "[".repeat(200_000) + "]".repeat(200_000) + "}";
        assertEquals("crafted.safetensors is not a safetensors file: its header is not valid JSON (objects and arrays nest more than 64 deep"
                + " at character 68)", refusal(file(deep, 0)));
    }

    @Test
    void aShapeBeyondATensorIsRefusedNamingTheFile() {
        String m = refusal(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[65536,65536,65536,65536],\"data_offsets\":[0,0]}}", 0));
        assertEquals("crafted.safetensors: tensor 'w' has shape [65536, 65536, 65536, 65536], more elements than a tensor holds", m);
    }

    @Test
    void aFileOfEightBytesOnlyIsRefused() {
        assertTrue(refusal(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(2).array()).contains("is truncated"));
    }

    @Test
    void sizesDeclaredBeyondTheFileAreRefusedBeforeAnythingIsAllocated() {
        // 2^31 - 9 floats (8 GB) declared, 0 bytes there.
        String m = refusal(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2147483639],\"data_offsets\":[0,8589934556]}}", 0));
        assertEquals("crafted.safetensors is truncated: its tensors need 8589934556 bytes of data, but the file has only 0", m);
    }

    /** A 3 GB file (sparse): refused by its header's sizes at once, where a reader of all of it once ran out of memory. */
    @Test
    void aFileLargerThan2GBIsCheckedBySizeNotReadWhole(@TempDir Path dir) throws IOException {
        Path big = dir.resolve("big.safetensors");
        byte[] header = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 0);
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.write(header);
            f.setLength(3 * GB);
        }
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            String m = assertThrows(JanusException.class, () -> SafeTensors.load(big)).getMessage();
            assertEquals(big + " is corrupt: " + (3 * GB - header.length - 16) + " bytes after the last tensor belong to none", m);
        });
    }

    /** Reading past 2 GB into a file: the mapped windows reach every offset (the holes read as zeros). */
    @Test
    void bytesBeyond2GBAreReadWhereTheyLie(@TempDir Path dir) throws IOException {
        Path big = dir.resolve("big.bin");
        long at = 5 * GB / 2 - 3;
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(3 * GB);
            f.seek(at);
            f.write(new byte[] {1, 2, 3, 4, 5, 6});
        }
        try (FileBytes bytes = FileBytes.open(big)) {
            assertEquals(3 * GB, bytes.size());
            byte[] got = new byte[8];
            try (InputStream in = bytes.stream(at - 1, 8)) {
                assertEquals(8, in.readNBytes(got, 0, 8));
                assertEquals(-1, in.read());
            }
            assertArrayEquals(new byte[] {0, 1, 2, 3, 4, 5, 6, 0}, got);
            assertEquals(1, bytes.slice(at, 6).get(0));
            assertThrows(IOException.class, () -> bytes.slice(3 * GB - 2, 4));
        }
    }

    @Test
    void everyMutationLoadsOrThrowsTheLibrarysException() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("conv.weight", Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 1, 2, 2));
        m.put("bias", Tensor.of(new double[] {0.5, -1}));
        m.put("steps", Tensor.of(new long[] {3}, 1));
        m.put("mask", Tensor.of(new boolean[] {true, false, true}));
        byte[] plain = SafeTensors.encode(m, Map.of());
        byte[] meta = SafeTensors.encode(Map.of("w", Tensor.zeros(DType.FLOAT32, 3, 2)), Map.of("format", "pt", "note", "a \"quoted\" ü"));
        Fuzz.run(List.of(plain, meta), 11, 5000, 200, Duration.ofSeconds(60), b -> SafeTensors.decode(b, "fuzzed.safetensors"));
    }
}
