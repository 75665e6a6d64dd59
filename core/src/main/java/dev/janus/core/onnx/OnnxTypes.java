package dev.janus.core.onnx;

import dev.janus.core.DType;

/** ONNX's element-type codes (TensorProto.DataType) for the dtypes Janus has. */
public final class OnnxTypes {
    public static final int FLOAT = 1, UINT8 = 2, INT8 = 3, UINT16 = 4, INT16 = 5, INT32 = 6, INT64 = 7, BOOL = 9, FLOAT16 = 10,
            DOUBLE = 11, UINT32 = 12, UINT64 = 13, BFLOAT16 = 16;

    private static final String[] NAMES = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64",
        "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16", "FLOAT8E4M3FN",
        "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4", "INT4", "FLOAT4E2M1", "FLOAT8E8M0", "UINT2", "INT2"};

    private OnnxTypes() {
    }

    public static int code(DType dtype) {
        switch (dtype) {
            case FLOAT32: return FLOAT;
            case FLOAT64: return DOUBLE;
            case INT64: return INT64;
            case BOOL: return BOOL;
            case INT8: return INT8;
            case UINT8: return UINT8;
            case INT16: return INT16;
            case UINT16: return UINT16;
            case INT32: return INT32;
            case UINT32: return UINT32;
            case UINT64: return UINT64;
            case FLOAT16: return FLOAT16;
            case BFLOAT16: return BFLOAT16;
            default: throw new AssertionError(dtype);
        }
    }

    /** The dtype of an ONNX element type; an error naming the type when Janus has none for it. */
    public static DType dtype(int code, String what) {
        for (DType d : DType.values()) if (code(d) == code) return d;
        throw new OnnxException(what + ": element type " + name(code) + " is not supported (Janus has "
                + java.util.Arrays.toString(DType.values()) + "; not strings, complex numbers, float8, 4-bit or 2-bit types)");
    }

    /** The code of an element type name ("FLOAT", "INT64", ...), or -1 when ONNX has none of that name. */
    public static int code(String name) {
        for (int i = 1; i < NAMES.length; i++) if (NAMES[i].equals(name)) return i;
        return -1;
    }

    /** "FLOAT", "INT32", ... or the number for a code ONNX does not define. */
    public static String name(int code) {
        return code >= 0 && code < NAMES.length ? NAMES[code] : "code " + code;
    }
}
