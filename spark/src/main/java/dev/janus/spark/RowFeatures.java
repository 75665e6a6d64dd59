package dev.janus.spark;

import dev.janus.core.JanusException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where a row's numbers are: one numeric column each ({@code inputCols}), or one column holding
 * them all ({@code vectorCol}: an array of numbers, or a Spark ML vector, read through its
 * {@code toArray()} so that Janus needs no Spark ML jar). Columns and their types are checked
 * against the schema on the driver; a null or a vector of the wrong length is an error naming the
 * column.
 */
final class RowFeatures implements Serializable {
    private static final long serialVersionUID = 1;
    private final String[] names;
    private final int[] columns;
    private final boolean vector;
    private final int width;

    private RowFeatures(String[] names, int[] columns, boolean vector, int width) {
        this.names = names;
        this.columns = columns;
        this.vector = vector;
        this.width = width;
    }

    /** Numbers from these columns, one each, in order. */
    static RowFeatures columns(StructType schema, List<String> inputCols, String what) {
        if (inputCols == null || inputCols.isEmpty()) throw new JanusException(what + ": no input columns given");
        int[] idx = new int[inputCols.size()];
        for (int i = 0; i < idx.length; i++) {
            StructField f = field(schema, inputCols.get(i), what);
            if (!(f.dataType() instanceof NumericType)) {
                throw new JanusException(what + ": column '" + f.name() + "' is " + f.dataType().simpleString() + ", expected a number");
            }
            idx[i] = schema.fieldIndex(f.name());
        }
        return new RowFeatures(inputCols.toArray(new String[0]), idx, false, idx.length);
    }

    /** {@code width} numbers from one array or vector column. */
    static RowFeatures vector(StructType schema, String vectorCol, int width, String what) {
        StructField f = field(schema, vectorCol, what);
        DataType t = f.dataType();
        boolean numbers = t instanceof ArrayType && ((ArrayType) t).elementType() instanceof NumericType;
        if (!numbers && !t.typeName().equals("vector")) {
            throw new JanusException(what + ": column '" + vectorCol + "' is " + t.simpleString() + ", expected an array of numbers or an ML vector");
        }
        return new RowFeatures(new String[] {vectorCol}, new int[] {schema.fieldIndex(vectorCol)}, true, width);
    }

    private static StructField field(StructType schema, String name, String what) {
        for (StructField f : schema.fields()) if (f.name().equals(name)) return f;
        throw new JanusException(what + ": no column '" + name + "'; the columns are " + Arrays.toString(schema.fieldNames()));
    }

    int width() {
        return width;
    }

    /** The column names, for messages. */
    List<String> names() {
        return new ArrayList<>(Arrays.asList(names));
    }

    /** Writes the row's {@link #width()} numbers into {@code dst} from {@code at}. */
    void read(Row row, float[] dst, int at) {
        if (!vector) {
            for (int i = 0; i < columns.length; i++) {
                if (row.isNullAt(columns[i])) throw new JanusException("column '" + names[i] + "' is null in row " + row);
                dst[at + i] = ((Number) row.get(columns[i])).floatValue();
            }
            return;
        }
        if (row.isNullAt(columns[0])) throw new JanusException("column '" + names[0] + "' is null in row " + row);
        Object v = row.get(columns[0]);
        if (v instanceof scala.collection.Seq) {
            scala.collection.Seq<?> seq = (scala.collection.Seq<?>) v;
            check(seq.length());
            for (int i = 0; i < width; i++) {
                Object x = seq.apply(i);
                if (x == null) throw new JanusException("column '" + names[0] + "' has a null at " + i + " in row " + row);
                dst[at + i] = ((Number) x).floatValue();
            }
            return;
        }
        double[] values = mlVector(v);
        check(values.length);
        for (int i = 0; i < width; i++) dst[at + i] = (float) values[i];
    }

    private void check(int length) {
        if (length != width) throw new JanusException("column '" + names[0] + "' holds " + length + " numbers, the model takes " + width);
    }

    private double[] mlVector(Object v) {
        try {
            Method toArray = v.getClass().getMethod("toArray");
            return (double[]) toArray.invoke(v);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new JanusException("column '" + names[0] + "' holds a " + v.getClass().getName() + ", not numbers", e);
        }
    }
}
