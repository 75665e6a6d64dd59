package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.io.FileBytes;
import dev.janus.core.testing.Fuzz;
import dev.janus.layers.conv.Conv2D;
import dev.janus.layers.conv.MaxPooling2D;
import dev.janus.layers.core.Activation;
import dev.janus.layers.core.Dense;
import dev.janus.layers.core.Dropout;
import dev.janus.layers.core.Embedding;
import dev.janus.layers.core.Flatten;
import dev.janus.layers.normalization.BatchNormalization;
import dev.janus.layers.normalization.LayerNormalization;
import dev.janus.layers.recurrent.GRU;
import dev.janus.layers.recurrent.LSTM;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile model files, written here field by field with a valid checksum: a file declares what it
 * likes, and loading must check it against the file before allocating anything of that size.
 */
@Tag("reliability")
class CraftedModelFilesTest {
    /** A model file: name, layers (type, config), weights, no optimizer; the checksum made right. */
    private static byte[] craft(List<String> types, List<Map<String, String>> configs, Map<String, Tensor> weights) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buf);
        out.writeBytes("JANUSMDL");
        out.writeInt(1);
        out.writeUTF("crafted");
        out.writeInt(types.size());
        for (int i = 0; i < types.size(); i++) {
            out.writeUTF(types.get(i));
            out.writeInt(configs.get(i).size());
            for (Map.Entry<String, String> e : configs.get(i).entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
            }
        }
        out.writeInt(weights.size());
        for (Map.Entry<String, Tensor> w : weights.entrySet()) ModelFile.writeTensor(out, w.getKey(), w.getValue());
        out.writeBoolean(false);
        return withChecksum(buf.toByteArray());
    }

    /** The bytes with their last 8 replaced by (or, when {@code body} has none, followed by) the CRC-32 of the rest. */
    private static byte[] withChecksum(byte[] body) {
        CRC32 crc = new CRC32();
        crc.update(body);
        return ByteBuffer.allocate(body.length + 8).put(body).putLong(crc.getValue()).array();
    }

    private static Map<String, String> input(String shape) {
        return Map.of("name", "input_layer", "shape", shape, "dtype", "float32");
    }

    private static Map<String, String> dense(String units) {
        return Map.of("name", "dense", "units", units, "activation", "linear", "use_bias", "true",
                "kernel_initializer", "glorot_uniform", "bias_initializer", "zeros");
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static String refusalAllocatingLittle(byte[] file) {
        long before = allocatedBytes();
        String m = assertThrows(JanusException.class, () -> ModelFile.read(FileBytes.of(file, "crafted.janus"))).getMessage();
        long allocated = allocatedBytes() - before;
        assertTrue(allocated < 20_000_000, "refusing a " + file.length + "-byte file allocated " + allocated + " bytes: " + m);
        return m;
    }

    @Test
    void aDenseOfHalfABillionUnitsIsRefusedBeforeItsKernelIsMade() throws IOException {
        Map<String, Tensor> small = new LinkedHashMap<>();
        small.put("dense/kernel", Tensor.zeros(4, 3));
        small.put("dense/bias", Tensor.zeros(3));
        byte[] file = craft(List.of("InputLayer", "Dense"), List.of(input("[4]"), dense("500000000")), small);
        assertTrue(file.length < 400, "a small file: " + file.length + " bytes");
        assertEquals("crafted.janus: cannot read the model: dense/kernel: the layer makes it float32[4, 500000000], the file holds float32[4, 3]",
                refusalAllocatingLittle(file));
    }

    @Test
    void anEmbeddingOfTwoBillionRowsIsRefusedBeforeItsTableIsMade() throws IOException {
        Map<String, String> embedding = Map.of("name", "embedding", "input_dim", "2000000000", "output_dim", "8",
                "embeddings_initializer", "uniform");
        byte[] file = craft(List.of("InputLayer", "Embedding"), List.of(input("[5]"), embedding), Map.of("embedding/embeddings", Tensor.zeros(2, 8)));
        String m = refusalAllocatingLittle(file);
        assertTrue(m.contains("embedding/embeddings: the layer makes it float32[2000000000, 8], the file holds float32[2, 8]"), m);
    }

    @Test
    void aTensorLargerThanTheFileIsRefusedBeforeItIsAllocated() throws IOException {
        byte[] good = craft(List.of("InputLayer", "Dense"), List.of(input("[4]"), dense("3")),
                Map.of("dense/kernel", Tensor.zeros(4, 3), "dense/bias", Tensor.zeros(3)));
        // The kernel's first dimension, 4, rewritten as 100 million, then as 40.
        byte[] body = java.util.Arrays.copyOf(good, good.length - 8);
        byte[] kernel = "dense/kernel".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int at = indexOf(body, kernel) + kernel.length + 2 + "float32".length() + 4;
        ByteBuffer.wrap(body).putInt(at, 100_000_000);
        String m = refusalAllocatingLittle(withChecksum(body));
        assertTrue(m.endsWith("dimension 0 of a tensor is 100000000, beyond the rest of the file"), m);
        ByteBuffer.wrap(body).putInt(at, 40);
        m = refusalAllocatingLittle(withChecksum(body));
        assertTrue(m.endsWith("a tensor of shape [40, 3] (480 bytes) is larger than the rest of the file"), m);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }

    /** Sparse files: the junk one is refused by its first bytes, not read whole (once 14.6 s and 4 GB of memory). */
    @Test
    void aFileOfGigabytesIsNotReadWholeToBeRefused(@TempDir Path dir) throws IOException {
        Path junk = dir.resolve("junk.janus");
        try (RandomAccessFile f = new RandomAccessFile(junk.toFile(), "rw")) {
            f.writeBytes("not a model at all");
            f.setLength(1_900_000_000L);
        }
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertEquals(junk + " is not a Janus model file (it does not start with JANUSMDL)",
                assertThrows(JanusException.class, () -> Sequential.load(junk)).getMessage()));
    }

    @Test
    void tensorsOfEveryDTypeRoundTripThroughTheFilesRecords() throws IOException {
        List<Tensor> all = List.of(Tensor.of(new float[] {1.5f, -0f, Float.MIN_VALUE, Float.NaN}, 2, 2), Tensor.of(new double[] {Math.PI, -1e300}),
                Tensor.of(new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE}, 3, 1), Tensor.of(new boolean[] {true, false, true}), Tensor.scalar(7, DType.INT64),
                Tensor.zeros(DType.FLOAT64, 0, 5));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buf);
        for (Tensor t : all) ModelFile.writeTensor(out, "t", t);
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(buf.toByteArray()));
        for (Tensor t : all) {
            assertEquals("t", in.readUTF());
            Tensor back = ModelFile.readTensor(in, in.available());
            assertEquals(t.type(), back.type());
            assertEquals(t.toString(), back.toString());
            if (t.dtype() == DType.INT64) assertArrayEquals(t.toLongArray(), back.toLongArray());
            else if (t.dtype() == DType.BOOL) assertArrayEquals(t.toBooleanArray(), back.toBooleanArray());
            else assertArrayEquals(t.toDoubleArray(), back.toDoubleArray());
        }
        assertEquals(0, in.available());
    }

    private static List<byte[]> seeds(Path dir) throws IOException {
        List<Sequential> models = new ArrayList<>();
        Generator.manualSeed(3);
        Sequential mlp = new Sequential(new Input(4), new Dense(6, "relu"), new Dropout(0.2), new Dense(3, "softmax"));
        mlp.compile("adam", "sparse_categorical_crossentropy", List.of("accuracy"));
        mlp.trainOnBatch(Tensor.randn(new Generator(1), 8, 4), Tensor.of(new long[] {0, 1, 2, 0, 1, 2, 0, 1}));
        models.add(mlp);
        models.add(new Sequential(new Input(6, 6, 1), new Conv2D(2, 3, "relu").padding("same"), new BatchNormalization(),
                new MaxPooling2D(), new Flatten(), new Dense(2)));
        models.add(new Sequential(new Input(5), new Embedding(7, 3), new LSTM(4).returnSequences(true), new GRU(2), new LayerNormalization()));
        models.add(new Sequential(new Input(DType.FLOAT64, 3), new Dense(2, "tanh"), new Activation("softmax")));
        List<byte[]> files = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            Path f = dir.resolve("seed" + i + ".janus");
            models.get(i).save(f);
            byte[] bytes = Files.readAllBytes(f);
            ModelFile.read(FileBytes.of(bytes, "seed"));   // each seed loads
            files.add(java.util.Arrays.copyOf(bytes, bytes.length - 8));   // the body: fuzzed, then given its checksum
        }
        return files;
    }

    /** Mutations with their checksum made right, so that they reach the decoder: load, or a JanusException. */
    @Test
    void everyMutationLoadsOrThrowsTheLibrarysException(@TempDir Path dir) throws IOException {
        Fuzz.run(seeds(dir), 5, 2000, 50, Duration.ofSeconds(90), b -> {
            try {
                ModelFile.read(FileBytes.of(withChecksum(b), "fuzzed.janus"));
            } catch (IOException e) {
                throw new JanusException("I/O: " + e, e);
            }
        });
    }
}
