package dev.janus.examples.cli;

import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.data.StandardScaler;
import dev.janus.core.data.TensorDataset;
import dev.janus.core.io.AtomicFile;
import dev.janus.core.io.SafeTensors;
import dev.janus.core.optim.Adam;
import dev.janus.eager.nn.CrossEntropyLoss;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.NNModule;
import dev.janus.eager.nn.ReLU;
import dev.janus.examples.EagerTrainer;
import dev.janus.export.ExportOptions;
import dev.janus.export.ModelExport;
import dev.janus.layers.Fit;
import dev.janus.layers.Input;
import dev.janus.layers.Sequential;
import dev.janus.layers.callbacks.Callback;
import dev.janus.layers.core.Dense;
import dev.janus.tensorboard.TensorBoard;
import dev.janus.tensorboard.TrainingRuns;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code janus train <csv>}: an MLP classifier on a user's CSV, eagerly or compiled. The data is
 * split (seeded), the features standardised with the training part's statistics, and the model
 * (hidden layers with ReLU, optional dropout, Adam, cross entropy) trained and tested.
 */
final class TrainCommand implements Command {
    private static final Set<String> OPTIONS = Set.of("style", "label", "hidden", "dropout", "epochs", "batch-size", "lr", "test-fraction",
            "validation-split", "seed", "header", "save", "onnx", "logdir");

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train an MLP classifier on your own CSV file, eagerly or compiled";
    }

    @Override
    public String help() {
        return "usage: janus train <csv> [options]\n\n"
                + "Trains an MLP classifier on a CSV file of numbers (\".gz\" is read through gzip): one column holds the class\n"
                + "labels (whole numbers from 0), the others are the features. The first line may be column names,\n"
                + "scikit-learn's count line (\"150,4,setosa,...\", skipped) or data; --header auto tells them apart. The data\n"
                + "is split into training and test parts (seeded), the features standardised with the training part's mean\n"
                + "and standard deviation, and the model trained with Adam on cross entropy, then tested.\n\n"
                + "  --style eager|compiled   PyTorch-style eager training or the Keras-style compiled model (default: compiled)\n"
                + "  --label NAME|INDEX       the label column, by name or 0-based index, negative from the end (default: -1)\n"
                + "  --hidden 64,32           hidden layer sizes, comma separated, each with ReLU (default: 64,32)\n"
                + "  --dropout P              dropout after the first hidden layer (default: 0)\n"
                + "  --epochs N               (default: 50)\n"
                + "  --batch-size N           (default: 16)\n"
                + "  --lr LR                  Adam's learning rate (default: 0.001)\n"
                + "  --test-fraction F        share of the rows kept for the test (default: 0.2)\n"
                + "  --validation-split F     last share of the training rows validated on after each epoch (default: 0)\n"
                + "  --seed S                 seeds the split, the weights, the shuffling and dropout (default: 0)\n"
                + "  --header auto|yes|no     is the first line column names? (default: auto)\n"
                + "  --save FILE              save the trained model for janus export (and janus export-web): compiled, the\n"
                + "                           whole model (.janus); eager, the state dict and the layer sizes\n"
                + "                           (.safetensors); and the standardisation in FILE.scaler.csv\n"
                + "  --onnx FILE              export the trained model to ONNX; the model takes standardised features, so\n"
                + "                           the mean and scale of each feature are written beside it (FILE.scaler.csv)\n"
                + "  --logdir DIR             log the training for TensorBoard: DIR/train and DIR/validation, as Keras's\n"
                + "                           TensorBoard callback writes them (epoch_loss, epoch_accuracy, weight histograms,\n"
                + "                           the graph); both styles write the same tags (tensorboard --logdir DIR)\n\n"
                + "Bad input (a missing file or column, a value that is not a number) ends with one line naming the file,\n"
                + "line and column, and exit status 2.\n";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws CliError {
        Args a = Args.parse(args, OPTIONS, Set.of());
        if (a.positional().size() != 1) throw CliError.usage(a.positional().isEmpty() ? "which CSV file? (janus train <csv>)" : "one CSV file, got " + a.positional());
        Path csv = Path.of(a.positional().get(0));
        String style = a.choice("style", "compiled", "eager", "compiled");
        String header = a.choice("header", "auto", "auto", "yes", "no");
        int[] hidden = a.sizes("hidden", "64,32");
        double dropout = a.number("dropout", 0, 0, 1, false);
        int epochs = a.integer("epochs", 50, 1), batch = a.integer("batch-size", 16, 1);
        double lr = a.number("lr", 1e-3, Double.MIN_VALUE, Double.MAX_VALUE, true);
        double testFraction = a.number("test-fraction", 0.2, Double.MIN_VALUE, 1, false);
        double validation = a.number("validation-split", 0, 0, 1, false);
        long seed = a.longValue("seed", 0);
        String label = a.get("label", "-1");
        String save = a.get("save", null);
        if (save != null && style.equals("eager") && !save.endsWith(".safetensors")) {
            throw CliError.usage("--save " + save + ": an eager model is saved as its state dict in safetensors; name the file "
                    + "*.safetensors (a .janus file holds a compiled model: --style compiled)");
        }
        Path logDir = a.get("logdir", null) == null ? null : Path.of(a.get("logdir", null));

        CsvData data;
        try {
            data = CsvData.load(csv, header, label, testFraction, seed);
        } catch (JanusException e) {
            throw CliError.input(e.getMessage(), e);
        }
        // The parts are the reader's own arrays: standardised in place, no second copy of a large file's data.
        TensorDataset train = data.train, test = data.test;
        StandardScaler scaler = new StandardScaler().fit(train.tensor(0));
        scaler.transformInPlace(train.tensor(0));
        scaler.transformInPlace(test.tensor(0));
        int features = data.features.size();
        out.printf(Locale.ROOT, "%s: %d rows, %d features, label column '%s' with %d classes; %d for training, %d for the test (seed %d)%n",
                data.source, data.rows, features, data.label, data.classes, train.size(), test.size(), seed);

        Generator.manualSeed(seed);
        Map<String, Double> result;
        if (style.equals("eager")) {
            NNModule model = eagerModel(features, hidden, dropout, data.classes);
            out.println(model);
            EagerTrainer trainer = new EagerTrainer(model, new CrossEntropyLoss(), new Adam(lr));
            TensorDataset[] parts = EagerTrainer.holdOut(train, validation);
            try (TrainingRuns runs = logDir == null ? null : new TrainingRuns(logDir)) {
                EagerTrainer.EpochListener log = runs == null ? null : trainer.tensorBoard(runs, parts[0], batch);
                trainer.fit(parts[0], parts[1], epochs, batch, Generator.global(), null, (epoch, logs) -> {
                    printEpoch(out, epoch, epochs, logs);
                    if (log != null) log.onEpochEnd(epoch, logs);
                });
            }
            result = trainer.evaluate(test);
            if (save != null) {
                SafeTensors.save(Janus.outputFile(save), model.stateDict(), mlpMetadata(features, hidden, dropout, data.classes));
                out.println("saved the weights to " + save + " (janus export reads them) and the standardisation to "
                        + writeScaler(Path.of(save), data, scaler));
            }
            if (a.get("onnx", null) != null) exported(out, ModelExport.toOnnx(model, test.tensor(0), Janus.outputFile(a.get("onnx", null)), ExportOptions.defaults()), data, scaler);
        } else {
            Sequential model = kerasModel(features, hidden, dropout, data.classes);
            model.output(out);
            model.compile(new Adam(lr), "sparse_categorical_crossentropy", List.of("accuracy"));
            model.summary();
            Fit fit = new Fit().epochs(epochs).batchSize(batch).validationSplit(validation).verbose(0)
                    .callbacks(new Callback() {
                        @Override
                        public void onEpochEnd(int epoch, Map<String, Double> logs) {
                            printEpoch(out, epoch, epochs, logs);
                        }
                    });
            if (logDir != null) fit.callbacks(new TensorBoard(logDir).histogramFreq(1));
            model.fit(train.tensor(0), train.tensor(1), fit);
            result = model.evaluate(test.tensor(0), test.tensor(1), 32, 0);
            if (save != null) {
                model.save(Janus.outputFile(save));
                out.println("saved the model to " + save + " and the standardisation to " + writeScaler(Path.of(save), data, scaler));
            }
            if (a.get("onnx", null) != null) exported(out, ModelExport.toOnnx(model, Janus.outputFile(a.get("onnx", null)), ExportOptions.defaults()), data, scaler);
        }
        out.printf(Locale.ROOT, "test loss %.4f, test accuracy %.4f%n", result.get("loss"), result.get("accuracy"));
        return 0;
    }

    /** What an eager model's safetensors file says about its layers, so that janus export can rebuild it. */
    static final String MODEL_KEY = "janus.model", MLP = "mlp";

    static Map<String, String> mlpMetadata(int features, int[] hidden, double dropout, int classes) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put(MODEL_KEY, MLP);
        m.put("features", Integer.toString(features));
        m.put("hidden", java.util.Arrays.stream(hidden).mapToObj(Integer::toString).collect(java.util.stream.Collectors.joining(",")));
        m.put("dropout", Double.toString(dropout));
        m.put("classes", Integer.toString(classes));
        return m;
    }

    /** The eager MLP that {@link #mlpMetadata} describes; an error names what is missing or wrong. */
    static NNModule mlpFrom(Map<String, String> m, String source) {
        if (!MLP.equals(m.get(MODEL_KEY))) {
            throw new JanusException(source + ": not an eager model saved by janus train (its metadata has no \"" + MODEL_KEY + "\": \"mlp\")");
        }
        try {
            int[] hidden = m.get("hidden").isEmpty() ? new int[0] : java.util.Arrays.stream(m.get("hidden").split(",")).mapToInt(Integer::parseInt).toArray();
            return eagerModel(Integer.parseInt(m.get("features")), hidden, Double.parseDouble(m.get("dropout")), Integer.parseInt(m.get("classes")));
        } catch (RuntimeException e) {
            throw new JanusException(source + ": the layer sizes in its metadata are missing or not numbers: " + m);
        }
    }

    /** Linear layers with ReLU between, dropout after the first hidden layer, as a PyTorch nn.Sequential. */
    static NNModule eagerModel(int in, int[] hidden, double dropout, int classes) {
        dev.janus.eager.nn.NNSequential model = new dev.janus.eager.nn.NNSequential();
        int width = in;
        for (int i = 0; i < hidden.length; i++) {
            model.add(new Linear(width, hidden[i])).add(new ReLU());
            if (i == 0 && dropout > 0) model.add(new dev.janus.eager.nn.NNDropout(dropout));
            width = hidden[i];
        }
        return model.add(new Linear(width, classes));
    }

    /** The same model as Keras layers: Dense with relu, softmax output. */
    static Sequential kerasModel(int in, int[] hidden, double dropout, int classes) {
        Sequential model = new Sequential(new Input(in));
        for (int i = 0; i < hidden.length; i++) {
            model.add(new Dense(hidden[i], "relu"));
            if (i == 0 && dropout > 0) model.add(new dev.janus.layers.core.Dropout(dropout));
        }
        model.add(new Dense(classes, "softmax"));
        return model;
    }

    /** Writes MODEL.scaler.csv, the standardisation the model's inputs go through (janus export-web reads it); returns its path. */
    private static Path writeScaler(Path model, CsvData data, StandardScaler scaler) {
        Path sidecar = Path.of(model + ".scaler.csv");
        double[] mean = scaler.mean(), scale = scaler.scale();
        StringBuilder sb = new StringBuilder("feature,mean,scale\n");
        for (int i = 0; i < mean.length; i++) sb.append(String.format(Locale.ROOT, "%s,%s,%s%n", data.features.get(i), mean[i], scale[i]));
        AtomicFile.write(sidecar, sb.toString().getBytes(StandardCharsets.UTF_8), "the scaler");
        return sidecar;
    }

    private static void printEpoch(PrintStream out, int epoch, int epochs, Map<String, Double> logs) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "epoch %" + String.valueOf(epochs).length() + "d/%d", epoch + 1, epochs));
        logs.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  %s %.4f", k, v)));
        out.println(sb);
    }

    /** Says where the ONNX file went and writes the scaler it expects its inputs through. */
    private static void exported(PrintStream out, Path onnx, CsvData data, StandardScaler scaler) {
        Path sidecar = writeScaler(onnx, data, scaler);
        out.println("exported the model to " + onnx + "; it takes standardised features, (x - mean) / scale, with the values in " + sidecar);
    }
}
