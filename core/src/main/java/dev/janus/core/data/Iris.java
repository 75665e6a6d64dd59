package dev.janus.core.data;

import dev.janus.core.DType;

import java.util.List;

/**
 * Fisher's iris data, 150 flowers in 3 classes, as scikit-learn ships it (BSD-3-Clause; the
 * licence is beside the CSV in the resources).
 */
public final class Iris {
    public static final List<String> FEATURES = List.of("sepal_length", "sepal_width", "petal_length", "petal_width");
    public static final List<String> CLASSES = List.of("setosa", "versicolor", "virginica");

    private Iris() {
    }

    /** The raw table: 4 feature columns, then the class (0, 1, 2). */
    public static NumericTable table() {
        // The first line is scikit-learn's "150,4,setosa,versicolor,virginica", not column names.
        return Csv.read(Iris.class.getResourceAsStream("iris.csv"), "iris.csv", 1, false);
    }

    /** Features float32 [150, 4] and labels int64 [150]. */
    public static TensorDataset load() {
        NumericTable t = table();
        return new TensorDataset(t.columns(0, 4, DType.FLOAT32), t.labels(4));
    }
}
