package dev.janus.serving;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.janus.core.DType;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Tensor data in JSON: nested or flat arrays of numbers or booleans, read into Java arrays and written back. */
final class TensorJson {
    private TensorJson() {
    }

    /**
     * The elements of {@code data} (an array, nested or flat, read in row-major order) as the Java
     * array of {@code dtype}; {@code count} elements are expected (-1: any). Throws a 400 naming
     * {@code what} and the first element that does not fit.
     */
    static Object read(JsonNode data, DType dtype, int count, String what) {
        List<JsonNode> leaves = new ArrayList<>(Math.max(count, 16));
        if (data.isArray()) collect(data, leaves);
        else leaves.add(data);
        if (count >= 0 && leaves.size() != count) {
            throw ServingException.badRequest(what + ": the shape holds " + count + " elements, the data has " + leaves.size());
        }
        Object out = BatchRows.newArray(dtype, leaves.size());
        for (int i = 0; i < leaves.size(); i++) {
            JsonNode v = leaves.get(i);
            switch (dtype) {
                case FLOAT32:
                    ((float[]) out)[i] = (float) number(v, what, i);
                    break;
                case FLOAT64:
                    ((double[]) out)[i] = number(v, what, i);
                    break;
                case INT64:
                    if (!v.isIntegralNumber() || !v.canConvertToLong()) throw element(what, i, v, "a whole number (int64)");
                    ((long[]) out)[i] = v.longValue();
                    break;
                default:
                    if (!v.isBoolean()) throw element(what, i, v, "true or false");
                    ((boolean[]) out)[i] = v.booleanValue();
            }
        }
        return out;
    }

    private static void collect(JsonNode array, List<JsonNode> out) {
        for (JsonNode v : array) {
            if (v.isArray()) collect(v, out);
            else out.add(v);
        }
    }

    private static double number(JsonNode v, String what, int i) {
        if (!v.isNumber()) throw element(what, i, v, "a number");
        return v.doubleValue();
    }

    private static ServingException element(String what, int i, JsonNode v, String expected) {
        String shown = v.toString();
        if (shown.length() > 40) shown = shown.substring(0, 40) + "...";
        return ServingException.badRequest(what + ": element " + i + " is " + shown + ", expected " + expected);
    }

    /** The shape of a nested array (a scalar is []); ragged nesting is a 400 naming {@code what}. */
    static int[] shapeOf(JsonNode v, String what) {
        List<Integer> dims = new ArrayList<>();
        JsonNode n = v;
        while (n.isArray()) {
            dims.add(n.size());
            if (n.size() == 0) break;
            n = n.get(0);
        }
        int[] shape = dims.stream().mapToInt(Integer::intValue).toArray();
        check(v, shape, 0, what);
        return shape;
    }

    private static void check(JsonNode v, int[] shape, int d, String what) {
        if (d == shape.length) {
            if (v.isArray()) throw ServingException.badRequest(what + ": the nested lists are ragged (deeper in some places than others)");
            return;
        }
        if (!v.isArray() || v.size() != shape[d]) {
            throw ServingException.badRequest(what + ": the nested lists are ragged (dimension " + d + " should have " + shape[d] + " entries)");
        }
        for (JsonNode c : v) check(c, shape, d + 1, what);
    }

    /** The elements as one flat JSON array. */
    static void writeFlat(JsonGenerator g, Object elements, DType dtype, int n) throws IOException {
        g.writeStartArray();
        for (int i = 0; i < n; i++) writeElement(g, elements, dtype, i);
        g.writeEndArray();
    }

    /** Elements [offset, offset + size(shape[dim..])) as nested arrays of shape[dim..] (a scalar when dim is the rank). */
    static void writeNested(JsonGenerator g, Object elements, DType dtype, int[] shape, int dim, int offset) throws IOException {
        if (dim == shape.length) {
            writeElement(g, elements, dtype, offset);
            return;
        }
        int stride = 1;
        for (int d = dim + 1; d < shape.length; d++) stride *= shape[d];
        g.writeStartArray();
        for (int i = 0; i < shape[dim]; i++) writeNested(g, elements, dtype, shape, dim + 1, offset + i * stride);
        g.writeEndArray();
    }

    private static void writeElement(JsonGenerator g, Object elements, DType dtype, int i) throws IOException {
        switch (dtype) {
            case FLOAT32: g.writeNumber(((float[]) elements)[i]); break;
            case FLOAT64: g.writeNumber(((double[]) elements)[i]); break;
            case INT64: g.writeNumber(((long[]) elements)[i]); break;
            default: g.writeBoolean(((boolean[]) elements)[i]);
        }
    }
}
