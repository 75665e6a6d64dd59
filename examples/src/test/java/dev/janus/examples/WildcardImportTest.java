package dev.janus.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A user's program that imports the eager, Keras-style (every layers package), optimizer, data and
 * export packages with wildcards compiles (no ambiguous name, no clash with java.lang.Module) and
 * runs: compiled here with the JDK's compiler against the test classpath, then loaded and run.
 */
class WildcardImportTest {
    private static final String PROGRAM = """
            import dev.janus.core.*;
            import dev.janus.core.data.*;
            import dev.janus.core.optim.*;
            import dev.janus.eager.*;
            import dev.janus.eager.nn.*;
            import dev.janus.export.*;
            import dev.janus.layers.*;
            import dev.janus.layers.callbacks.*;
            import dev.janus.layers.conv.*;
            import dev.janus.layers.core.*;
            import dev.janus.layers.losses.*;
            import dev.janus.layers.merge.*;
            import dev.janus.layers.metrics.*;
            import dev.janus.layers.normalization.*;
            import dev.janus.layers.recurrent.*;

            import java.util.List;

            public class UserProgram {
                static class Net extends NNModule {
                    final Linear fc1 = new Linear(4, 8);
                    final NNDropout drop = new NNDropout(0.1);
                    final Linear fc2 = new Linear(8, 3);

                    @Override
                    public Tensor forward(Tensor x) {
                        return fc2.forward(drop.forward(F.relu(fc1.forward(x))));
                    }
                }

                public static List<String> run() {
                    Net net = new Net();
                    NNSequential probabilities = new NNSequential(net, new NNSoftmax(1));
                    Adam opt = new Adam(net.parameters());
                    Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 4);
                    net.eval();
                    Tensor p = probabilities.forward(x);
                    opt.zeroGrad();
                    Sequential keras = new Sequential(new Input(4), new Dense(8, "relu"), new Dropout(0.1), new Dense(3, "softmax"));
                    keras.compile(new Adam(1e-3), Losses.get("sparse_categorical_crossentropy"), List.of("accuracy"));
                    ReduceLROnPlateau callback = new ReduceLROnPlateau("loss").patience(2);
                    ReduceLROnPlateauLR scheduler = new ReduceLROnPlateauLR(opt);
                    return List.of(net.namedParameters().keySet().toString(), probabilities.toString().lines().findFirst().get(),
                            String.valueOf(p.size(1)), keras.name(), String.valueOf(callback != null && scheduler != null));
                }
            }
            """;

    @Test
    void aProgramImportingEveryPackageWithWildcardsCompilesAndRuns(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("UserProgram.java");
        Files.writeString(source, PROGRAM);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "no Java compiler in this JDK");
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        boolean ok;
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
            ok = javac.getTask(null, files, diagnostics,
                    List.of("--release", "17", "-classpath", System.getProperty("java.class.path"), "-d", dir.toString()),
                    null, files.getJavaFileObjects(source)).call();
        }
        StringBuilder errors = new StringBuilder();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) errors.append("line ").append(d.getLineNumber()).append(": ").append(d.getMessage(null)).append('\n');
        }
        assertTrue(ok, "the user's program does not compile:\n" + errors);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            @SuppressWarnings("unchecked")
            List<String> out = (List<String>) loader.loadClass("UserProgram").getMethod("run").invoke(null);
            assertEquals("[fc1.weight, fc1.bias, fc2.weight, fc2.bias]", out.get(0));
            assertEquals("Sequential(", out.get(1));        // printed with PyTorch's name
            assertEquals("3", out.get(2));
            assertEquals("true", out.get(4));
        }
    }
}
