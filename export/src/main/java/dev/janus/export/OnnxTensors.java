package dev.janus.export;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.onnx.OnnxException;
import dev.janus.core.onnx.OnnxTypes;
import dev.janus.export.proto.Onnx.TensorProto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tensors to and from ONNX's TensorProto. Written with raw_data, little-endian; read from raw_data
 * or from the typed fields (float_data, double_data, int64_data, uint64_data, int32_data: the last
 * also holds the smaller integers, bool, and the bits of float16 and bfloat16), the two encodings
 * ONNX allows.
 */
public final class OnnxTensors {
    private OnnxTensors() {
    }

    public static TensorProto write(Tensor t, String name) {
        ByteBuffer buf = ByteBuffer.allocate(t.numel() * t.dtype().bytes()).order(ByteOrder.LITTLE_ENDIAN);
        t.storage().toBytes(buf);
        TensorProto.Builder p = TensorProto.newBuilder().setDataType(OnnxTypes.code(t.dtype())).setRawData(ByteString.copyFrom(buf.array()));
        for (int d : t.shape().dims()) p.addDims(d);
        if (name != null) p.setName(name);
        return p.build();
    }

    /** Reads a tensor held in the proto itself; {@code what} names it in errors (an initializer, a Constant node, a file). */
    public static Tensor read(TensorProto p, String what) {
        return read(p, what, null);
    }

    /**
     * Reads a tensor; one stored in an external file ({@link ExternalData}) is read from under
     * {@code baseDir}, the model's folder (null when the model did not come from a file).
     */
    static Tensor read(TensorProto p, String what, Path baseDir) {
        Shape shape = shape(p, what);
        int n = shape.size();
        int code = p.getDataType();
        DType dtype = OnnxTypes.dtype(code, what);
        int width = dtype.bytes();
        if (p.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            return fromRaw(ExternalData.read(p, baseDir, (long) n * width, what), dtype, shape);
        }
        if (p.getExternalDataCount() > 0) throw new OnnxException(what + ": external_data is set but data_location is not EXTERNAL");
        if (p.hasRawData()) {
            if ((long) n * width != p.getRawData().size()) {
                throw new OnnxException(what + ": shape " + shape + " needs " + (long) n * width + " bytes of " + OnnxTypes.name(code)
                        + " data, raw_data has " + p.getRawData().size());
            }
            return fromRaw(p.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN), dtype, shape);
        }
        int count;
        switch (dtype) {
            case FLOAT32: count = p.getFloatDataCount(); break;
            case FLOAT64: count = p.getDoubleDataCount(); break;
            case INT64: count = p.getInt64DataCount(); break;
            case UINT32: case UINT64: count = p.getUint64DataCount(); break;
            default: count = p.getInt32DataCount();
        }
        if (count != n) throw new OnnxException(what + ": shape " + shape + " needs " + n + " values, the tensor holds " + count);
        Tensor t = Tensor.empty(dtype, shape);
        for (int i = 0; i < n; i++) {
            switch (dtype) {
                case FLOAT32: t.setDouble(i, p.getFloatData(i)); break;
                case FLOAT64: t.setDouble(i, p.getDoubleData(i)); break;
                case INT64: t.setLong(i, p.getInt64Data(i)); break;
                case UINT32: case UINT64: t.setLong(i, p.getUint64Data(i)); break;
                case BOOL: t.setDouble(i, p.getInt32Data(i) != 0 ? 1 : 0); break;
                case FLOAT16: case BFLOAT16: t.i16()[i] = (short) p.getInt32Data(i); break;
                default: t.setLong(i, p.getInt32Data(i));
            }
        }
        return t;
    }

    /** Decodes little-endian data whose length was checked against the shape. */
    private static Tensor fromRaw(ByteBuffer buf, DType dtype, Shape shape) {
        Tensor t = Tensor.empty(dtype, shape);
        t.storage().fromBytes(buf);
        return t;
    }

    private static Shape shape(TensorProto p, String what) {
        long count = 1;
        int[] dims = new int[p.getDimsCount()];
        for (int i = 0; i < dims.length; i++) {
            long d = p.getDims(i);
            if (d >= 0 && d <= Integer.MAX_VALUE) count *= Math.max(d, 1);
            if (d < 0 || d > Integer.MAX_VALUE || count > Integer.MAX_VALUE - 8) {
                throw new OnnxException(what + ": dimensions " + p.getDimsList() + " do not describe a tensor Janus can hold");
            }
            dims[i] = (int) d;
        }
        return Shape.of(dims);
    }

    /** Reads a serialized TensorProto file, such as the inputs and outputs of ONNX's node tests. */
    public static Tensor load(Path file) {
        try {
            return read(TensorProto.parseFrom(Files.readAllBytes(file)), file.toString());
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxException(file + ": not a serialized ONNX tensor (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new OnnxException("cannot read " + file + ": " + e, e);
        }
    }
}
