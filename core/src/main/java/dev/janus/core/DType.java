package dev.janus.core;

/** Element types. CPU storage is a Java array: float[], double[], long[] or boolean[]. */
public enum DType {
    FLOAT32("float32", 4),
    FLOAT64("float64", 8),
    INT64("int64", 8),
    BOOL("bool", 1);

    private final String label;
    private final int bytes;

    DType(String label, int bytes) {
        this.label = label;
        this.bytes = bytes;
    }

    public boolean isFloating() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /** Size of one element in bytes, as ONNX and ND4J count it. */
    public int bytes() {
        return bytes;
    }

    /** Parses "float32", "float", "float64", "double", "int64", "long", "bool". */
    public static DType parse(String name) {
        switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "float32": case "float": return FLOAT32;
            case "float64": case "double": return FLOAT64;
            case "int64": case "long": return INT64;
            case "bool": case "boolean": return BOOL;
            default: throw new JanusException("unknown dtype '" + name + "' (expected float32, float64, int64 or bool)");
        }
    }

    @Override
    public String toString() {
        return label;
    }
}
