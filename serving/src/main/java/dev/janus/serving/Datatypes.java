package dev.janus.serving;

import dev.janus.core.DType;

/** Element types by their names in the two protocols: KServe v2 ("FP32") and TensorFlow ("DT_FLOAT"). */
final class Datatypes {
    private Datatypes() {
    }

    static String v2Name(DType d) {
        switch (d) {
            case FLOAT32: return "FP32";
            case FLOAT64: return "FP64";
            case INT64: return "INT64";
            default: return "BOOL";
        }
    }

    static String tfName(DType d) {
        switch (d) {
            case FLOAT32: return "DT_FLOAT";
            case FLOAT64: return "DT_DOUBLE";
            case INT64: return "DT_INT64";
            default: return "DT_BOOL";
        }
    }

    /** Bytes per element in the binary tensor data extension (little-endian; a bool is one byte). */
    static int binarySize(DType d) {
        return d == DType.BOOL ? 1 : d.bytes();
    }
}
