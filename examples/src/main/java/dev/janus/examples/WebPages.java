package dev.janus.examples;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.data.Iris;
import dev.janus.export.ModelExport;
import dev.janus.export.WebOptions;
import dev.janus.layers.Sequential;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The example models as web pages that run in a browser with no server ({@link ModelExport#toWeb}):
 * the iris MLP with a form of the four measurements (standardised on the page as in training),
 * and the digits CNN and LSTM with a canvas to draw a digit on. Each folder holds index.html and
 * model.js, the JavaScript Janus compiles from the model.
 *
 * <p>Run: {@code mvn -q -pl examples -am test-compile exec:java -Dexec.mainClass=dev.janus.examples.WebPages}
 * (writes web-output/iris, web-output/digits-cnn and web-output/digits-lstm; open any index.html).
 */
public final class WebPages {
    private WebPages() {
    }

    /** The iris page: one example flower of each species from the test set. */
    public static Path iris(Sequential model, Path dir) {
        IrisData data = IrisData.load();
        Tensor examples = firstOfEachClass(data.rawTest, data.yTest, 3);
        // README: web-export
        Path page = ModelExport.toWeb(model, dir, WebOptions.defaults()   // dir/index.html, dir/model.js
                .title("Iris species")
                .features(Iris.FEATURES)
                .classes(Iris.CLASSES)
                .standardise(data.scaler)          // people type centimetres; the model was trained on standardised features
                .examples(examples, Iris.CLASSES));
        // README: end
        return page;
    }

    /** A digits page: a canvas to draw on, and one digit of each class from the test set to try. */
    public static Path digits(Sequential model, String title, Path dir) {
        DigitsData data = DigitsData.load();
        List<String> names = new ArrayList<>();
        for (int c = 0; c < 10; c++) names.add("a " + c + " from the test set");
        return ModelExport.toWeb(model, dir, WebOptions.defaults()
                .title(title)
                .examples(firstOfEachClass(data.test.tensor(0), data.test.tensor(1), 10), names));
    }

    /** The first row of each class 0..classes-1, [classes, features]. */
    public static Tensor firstOfEachClass(Tensor x, Tensor labels, int classes) {
        int n = x.numel() / x.dim(0);
        Tensor out = Tensor.empty(DType.FLOAT32, Shape.of(classes, n));
        for (int c = 0; c < classes; c++) {
            int row = 0;
            while (labels.readDouble(row) != c) row++;
            for (int i = 0; i < n; i++) out.setDouble(c * n + i, x.readDouble(row * n + i));
        }
        return out;
    }

    public static void main(String[] args) {
        Path out = Path.of(args.length > 0 ? args[0] : "web-output");
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        System.out.println("training the iris MLP, the digits CNN and the digits LSTM (Keras style)...");
        Path iris = iris(IrisCompiled.train(IrisCompiled.SEED, 50, 0).model, out.resolve("iris"));
        Path cnn = digits(DigitsCnn.trainCompiled(DigitsCnn.SEED, DigitsCnn.EPOCHS, quiet).model, "Handwritten digits (CNN)", out.resolve("digits-cnn"));
        Path lstm = digits(DigitsRnn.trainCompiled(DigitsRnn.SEED, DigitsRnn.EPOCHS, quiet).model, "Handwritten digits (LSTM over the rows)",
                out.resolve("digits-lstm"));
        for (Path p : List.of(iris, cnn, lstm)) System.out.println("wrote " + p + " and " + p.resolveSibling("model.js"));
    }
}
