package dev.janus.export;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.janus.core.io.FileBytes;
import dev.janus.core.ir.Graph;
import dev.janus.core.onnx.OnnxException;
import dev.janus.export.proto.Onnx.ModelProto;
import dev.janus.export.proto.Onnx.OperatorSetIdProto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Reads an ONNX model into a core IR graph that the interpreter and the compiler run, and that can
 * be fine-tuned: its float initializers are trainable parameters. Models of IR version 3 or newer
 * with default-domain opsets 1 to 27 are read; nodes of opsets before 7 in their opset-7 form
 * ({@link OldOpsets}).
 */
public final class OnnxImporter {
    public static final int MIN_OPSET = 1, MAX_OPSET = 27;
    private static final int MIN_IR = 3, MAX_IR = 13;
    /** Protobuf reads messages of up to 2 GB - 1 byte. */
    private static final long MAX_FILE = Integer.MAX_VALUE;

    private OnnxImporter() {
    }

    public static Graph load(Path path) {
        return load(path, ImportOptions.defaults());
    }

    /**
     * Reads the model at {@code path}; tensors it stores in external files are read from its folder.
     * The file is read where it lies (memory-mapped): one too large for protobuf (2 GB) is refused by
     * its size, and junk is refused at its first bad byte, without reading the rest.
     */
    public static Graph load(Path path, ImportOptions options) {
        ModelProto model;
        try (FileBytes bytes = FileBytes.open(path)) {
            if (bytes.size() > MAX_FILE) {
                throw new OnnxException(path + " has " + bytes.size() + " bytes; an ONNX file holds at most " + MAX_FILE
                        + " (protobuf's 2 GB): larger models keep their weights in external data files");
            }
            model = parse(bytes.slice(0, (int) bytes.size()));
        } catch (IOException e) {
            throw new OnnxException("cannot read " + path + ": " + e, e);
        } catch (OnnxException e) {
            throw e.getMessage().startsWith(path.toString()) ? e : new OnnxException(path + ": " + e.getMessage(), e);
        }
        try {
            return read(model, path.toAbsolutePath().getParent(), options);
        } catch (UnsupportedOpException e) {
            throw new UnsupportedOpException(e.opType(), e.reason(), path + ": " + e.getMessage());
        } catch (OnnxException e) {
            throw new OnnxException(path + ": " + e.getMessage(), e);
        }
    }

    public static Graph read(byte[] bytes) {
        return read(bytes, ImportOptions.defaults());
    }

    /** Reads a model from its bytes; one that keeps tensors in external files must be loaded from its file instead. */
    public static Graph read(byte[] bytes, ImportOptions options) {
        return read(parse(ByteBuffer.wrap(bytes)), null, options);
    }

    private static ModelProto parse(ByteBuffer bytes) {
        try {
            return ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxException("not an ONNX model, or a truncated or corrupt one: " + e.getMessage(), e);
        }
    }

    /** {@code baseDir}: the model's folder, where external data is read from (null: none allowed). */
    static Graph read(ModelProto model, Path baseDir, ImportOptions options) {
        if (!model.hasGraph() || model.getIrVersion() <= 0) throw new OnnxException("not an ONNX model: it has no graph or no IR version");
        if (model.getIrVersion() < MIN_IR || model.getIrVersion() > MAX_IR) {
            throw new OnnxException("IR version " + model.getIrVersion() + " is not supported (" + MIN_IR + " to " + MAX_IR + ")");
        }
        Long opset = null;
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) opset = o.getVersion();
        }
        if (opset == null) {
            // A model of another domain only (ONNX-ML, say): name the first op and why it is not read.
            for (dev.janus.export.proto.Onnx.NodeProto n : model.getGraph().getNodeList()) {
                String why = OnnxSupport.domainReason(n.getDomain());
                if (why != null) throw new UnsupportedOpException(n.getDomain() + "." + n.getOpType(), why, "ONNX op " + n.getDomain() + "."
                        + n.getOpType() + " is not supported: " + why);
            }
            throw new OnnxException("the model imports no opset of the default ONNX domain");
        }
        if (opset > MAX_OPSET) throw new OnnxException("opset " + opset + " is newer than Janus supports (" + MIN_OPSET + " to " + MAX_OPSET + ")");
        if (opset < MIN_OPSET) throw new OnnxException("opset " + opset + " is older than Janus supports (" + MIN_OPSET + " to " + MAX_OPSET + ")");
        return GraphReader.read(model.getGraph(), opset.intValue(), options, baseDir);
    }
}
