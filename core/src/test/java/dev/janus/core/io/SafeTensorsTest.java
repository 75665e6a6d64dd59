package dev.janus.core.io;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {
    private static Map<String, Tensor> sample() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("layers.0.weight", Tensor.of(new float[] {1.5f, -2, 3, 4.25f, 5, 6}, 2, 3));
        m.put("layers.0.bias", Tensor.of(new double[] {0.1, Double.MIN_VALUE}));
        m.put("step", Tensor.scalar(7, DType.INT64));
        m.put("mask \"quoted\" ü", Tensor.of(new boolean[] {true, false, true}));
        m.put("empty", Tensor.zeros(0, 3));
        return m;
    }

    @Test
    void roundTripsEveryDTypeExactly(@TempDir Path dir) {
        Path f = dir.resolve("model.safetensors");
        SafeTensors.save(f, sample(), Map.of("format", "pt"));
        Map<String, Tensor> back = SafeTensors.load(f);
        assertEquals(List.copyOf(sample().keySet()), List.copyOf(back.keySet()));
        sample().forEach((k, v) -> {
            assertEquals(v.type(), back.get(k).type(), k);
            assertArrayEquals(v.toDoubleArray(), back.get(k).toDoubleArray(), k);
        });
        try (var files = Files.list(dir)) {
            assertEquals(List.of("model.safetensors"), files.map(p -> p.getFileName().toString()).collect(Collectors.toList()),
                    "no temporary file is left behind");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The layout the safetensors specification fixes, checked by hand on one tensor. */
    @Test
    void writesTheSpecifiedLayout() {
        byte[] bytes = SafeTensors.encode(Map.of("w", Tensor.of(new float[] {1, 2})), Map.of());
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong();
        assertEquals(0, n % 8);
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertEquals("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", header.strip());
        b.position(8 + (int) n);
        assertEquals(1f, b.getFloat());
        assertEquals(2f, b.getFloat());
        assertEquals(bytes.length, b.position());
    }

    @Test
    void readsHeadersWrittenByOthers() {
        String json = "{ \"__metadata__\" : {\"format\":\"pt\"}, \"b\": {\"dtype\": \"I64\", \"shape\": [], \"data_offsets\": [4, 12]},"
                + " \"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]} }";
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 12).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).putFloat(2.5f).putLong(-3);
        Map<String, Tensor> m = SafeTensors.decode(b.array(), "x");
        assertEquals(List.of("a", "b"), List.copyOf(m.keySet()));
        assertEquals(2.5, m.get("a").item());
        assertEquals(-3, m.get("b").getLong());
    }

    @Test
    void truncatedFilesAreReported(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("m.safetensors");
        SafeTensors.save(f, sample());
        byte[] all = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(all, all.length - 5));
        String msg = assertThrows(JanusException.class, () -> SafeTensors.load(f)).getMessage();
        assertTrue(msg.startsWith(f + " is truncated: its tensors need "), msg);
        Files.write(f, Arrays.copyOf(all, 40));
        msg = assertThrows(JanusException.class, () -> SafeTensors.load(f)).getMessage();
        assertTrue(msg.startsWith(f + " is truncated: its header declares "), msg);
        Files.write(f, Arrays.copyOf(all, 3));
        assertEquals(f + " is not a safetensors file: it has only 3 bytes", assertThrows(JanusException.class, () -> SafeTensors.load(f)).getMessage());
    }

    @Test
    void foreignAndCorruptFilesAreReported(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("model.pt");
        Files.write(f, new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        assertEquals(f + " is not a safetensors file: it does not start with a safetensors header",
                assertThrows(JanusException.class, () -> SafeTensors.load(f)).getMessage());
        assertEquals("x is not a safetensors file: its header is not valid JSON (expected ':' at character 5)",
                assertThrows(JanusException.class, () -> SafeTensors.decode(raw("{\"a\" 1}", 0), "x")).getMessage());
        assertEquals("x: tensor 'a' has dtype F8_E4M3, which Janus does not read (it reads F32, F64, I64, BOOL, I8, U8, I16, U16, I32, U32, U64, F16 and BF16)",
                assertThrows(JanusException.class, () -> SafeTensors.decode(
                        raw("{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1), "x")).getMessage());
        assertEquals("x: tensor 'a': data_offsets [0, 3] do not hold 1 float32 values (4 bytes)",
                assertThrows(JanusException.class, () -> SafeTensors.decode(
                        raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,3]}}", 3), "x")).getMessage());
        assertEquals("x is corrupt: 4 bytes after the last tensor belong to none",
                assertThrows(JanusException.class, () -> SafeTensors.decode(
                        raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8), "x")).getMessage());
        assertThrows(JanusException.class, () -> SafeTensors.load(dir.resolve("missing.safetensors")));
    }

    @Test
    void aFailedSaveLeavesTheOldFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("m.safetensors");
        SafeTensors.save(f, sample());
        byte[] before = Files.readAllBytes(f);
        Map<String, Tensor> bad = new LinkedHashMap<>(sample());
        bad.put("__metadata__", Tensor.zeros(1));
        assertThrows(JanusException.class, () -> SafeTensors.save(f, bad));
        assertArrayEquals(before, Files.readAllBytes(f));
        assertThrows(JanusException.class, () -> SafeTensors.save(dir.resolve("no/such/dir/m.safetensors"), sample()));
    }

    private static byte[] raw(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h).array();
    }
}
