package dev.janus.core.onnx;

import dev.janus.core.DType;

/** ONNX's element-type codes (TensorProto.DataType) for the dtypes Janus has. */
public final class OnnxTypes {
    public static final int FLOAT = 1, INT32 = 6, INT64 = 7, BOOL = 9, DOUBLE = 11;

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
            default: return BOOL;
        }
    }

    /** The dtype of an ONNX element type; an error naming the type when Janus has none for it. */
    public static DType dtype(int code, String what) {
        switch (code) {
            case FLOAT: return DType.FLOAT32;
            case DOUBLE: return DType.FLOAT64;
            case INT64: return DType.INT64;
            case BOOL: return DType.BOOL;
            default: throw new OnnxException(what + ": element type " + name(code)
                    + " is not supported (Janus has float32, float64, int64 and bool)");
        }
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
