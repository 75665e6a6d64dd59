package dev.janus.core;

/**
 * Element types. On the heap: float[] (float32), double[] (float64), long[] (int64, uint64),
 * boolean[] (bool), int[] (int32, uint32), short[] (int16, uint16, and the bits of float16 and
 * bfloat16), byte[] (int8, uint8). Unsigned types are read as their unsigned values.
 *
 * <p>Kernels compute in float32, float64, int64 and bool; an op given another dtype computes in
 * {@link #computeType()} (half floats in float32, the other integers in int64) and its result is
 * cast back with ONNX's casting rules (integers wrap, floats round to nearest even), unless the op
 * says it computes that dtype itself ({@code Op.computes}).
 */
public enum DType {
    FLOAT32("float32", 4),
    FLOAT64("float64", 8),
    INT64("int64", 8),
    BOOL("bool", 1),
    INT8("int8", 1),
    UINT8("uint8", 1),
    INT16("int16", 2),
    UINT16("uint16", 2),
    INT32("int32", 4),
    UINT32("uint32", 4),
    UINT64("uint64", 8),
    FLOAT16("float16", 2),
    BFLOAT16("bfloat16", 2);

    private final String label;
    private final int bytes;

    DType(String label, int bytes) {
        this.label = label;
        this.bytes = bytes;
    }

    /** float32, float64, float16 and bfloat16. */
    public boolean isFloating() {
        return this == FLOAT32 || this == FLOAT64 || this == FLOAT16 || this == BFLOAT16;
    }

    /** The signed and unsigned integer types (not bool). */
    public boolean isInteger() {
        return !isFloating() && this != BOOL;
    }

    public boolean isUnsigned() {
        return this == UINT8 || this == UINT16 || this == UINT32 || this == UINT64;
    }

    /** The dtype kernels compute this one in: itself for float32, float64, int64 and bool. */
    public DType computeType() {
        if (this == FLOAT16 || this == BFLOAT16) return FLOAT32;
        return isInteger() ? INT64 : this;
    }

    /** Size of one element in bytes, as ONNX and ND4J count it. */
    public int bytes() {
        return bytes;
    }

    /** Parses a dtype's name ("float32", "int8", "bfloat16", ...) or the aliases "float", "double", "long", "int", "half", "boolean". */
    public static DType parse(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        switch (n) {
            case "float": return FLOAT32;
            case "double": return FLOAT64;
            case "long": return INT64;
            case "int": return INT32;
            case "half": return FLOAT16;
            case "boolean": return BOOL;
            default:
                for (DType t : values()) if (t.label.equals(n)) return t;
                throw new JanusException("unknown dtype '" + name + "' (expected one of " + java.util.Arrays.toString(values()) + ")");
        }
    }

    @Override
    public String toString() {
        return label;
    }
}
