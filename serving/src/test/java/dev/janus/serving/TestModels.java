package dev.janus.serving;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Ops;
import dev.janus.eager.nn.NNModule;
import dev.janus.export.ExportOptions;
import dev.janus.export.ModelExport;
import dev.janus.export.OnnxExporter;
import dev.janus.layers.Input;
import dev.janus.layers.Sequential;
import dev.janus.layers.core.Dense;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Models for the server tests, written into a model repository in Triton's layout. */
final class TestModels {
    private TestModels() {
    }

    /** TF Serving's example model, y = 0.5 x + 3, over a batch of scalars: input "input" [-1], output "output" [-1]. */
    static Path halfPlusThree(Path repo, String name, long version) {
        NNModule m = new NNModule() {
            @Override
            public Tensor forward(Tensor x) {
                return x.mul(0.5).add(3.0);
            }
        };
        Path file = versionDir(repo, name, version).resolve("model.onnx");
        ModelExport.toOnnx(m, Tensor.zeros(3), file, ExportOptions.defaults());
        return file;
    }

    /** An iris-sized MLP (4 -> 16 relu -> 3 softmax) from a seed. */
    static Sequential iris(long seed) {
        Sequential m = new Sequential();
        m.generator(new Generator(seed));
        m.add(new Input(4));
        m.add(new Dense(16, "relu"));
        m.add(new Dense(3, "softmax"));
        return m;
    }

    static Path irisOnnx(Path repo, String name, long version, Sequential model) {
        Path file = versionDir(repo, name, version).resolve("model.onnx");
        ModelExport.toOnnx(model, file, ExportOptions.defaults());
        return file;
    }

    static Path irisJanus(Path repo, String name, long version, Sequential model) {
        Path file = versionDir(repo, name, version).resolve("model.janus");
        model.save(file);
        return file;
    }

    /** Two inputs, two outputs: "sum" = a + b and "product" = a * b, with a and b [-1, 2] float32. */
    static Path twoInTwoOut(Path repo, String name, long version) {
        Graph g = new Graph("two_in_two_out");
        Value a = g.input("a", TensorType.of(DType.FLOAT32, -1, 2));
        Value b = g.input("b", TensorType.of(DType.FLOAT32, -1, 2));
        g.addOutput("sum", g.apply1(Ops.ADD, Attrs.NONE, a, b));
        g.addOutput("product", g.apply1(Ops.MUL, Attrs.NONE, a, b));
        Path file = versionDir(repo, name, version).resolve("model.onnx");
        write(file, OnnxExporter.toBytes(g, ExportOptions.defaults()));
        return file;
    }

    static Path versionDir(Path repo, String name, long version) {
        Path dir = repo.resolve(name).resolve(Long.toString(version));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    static void config(Path repo, String name, String json) {
        try {
            Files.createDirectories(repo.resolve(name));
            Files.writeString(repo.resolve(name).resolve(ModelConfig.FILE), json, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
