package dev.janus.serving;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Open Inference Protocol (KServe v2) over REST: server and model metadata, health, and
 * inference with typed tensors, plus Triton's binary tensor data extension (what tritonclient
 * sends by default): tensors after the JSON header, its length in Inference-Header-Content-Length.
 */
final class KServeV2 {
    static final String SERVER_NAME = "janus", SERVER_VERSION = "0.1.0";
    static final String HEADER_LENGTH = "Inference-Header-Content-Length";

    private final ObjectMapper mapper;
    private final Dispatcher dispatcher;

    KServeV2(ObjectMapper mapper, Dispatcher dispatcher) {
        this.mapper = mapper;
        this.dispatcher = dispatcher;
    }

    Reply serverMetadata() {
        return Reply.json(mapper, 200, g -> {
            g.writeStartObject();
            g.writeStringField("name", SERVER_NAME);
            g.writeStringField("version", SERVER_VERSION);
            g.writeArrayFieldStart("extensions");
            g.writeString("binary_tensor_data");
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** 200 when the version (or the newest) is loaded; the body is empty, as the protocol's health answers are. */
    Reply modelReady(String model, Long version) {
        dispatcher.find(model, version);
        return Reply.empty(200);
    }

    Reply modelMetadata(String model, Long version) {
        ModelVersion v = dispatcher.find(model, version);
        return Reply.json(mapper, 200, g -> {
            g.writeStartObject();
            g.writeStringField("name", v.model);
            g.writeArrayFieldStart("versions");
            for (long n : dispatcher.versions(v.model)) g.writeString(Long.toString(n));
            g.writeEndArray();
            g.writeStringField("platform", v.platform());
            writeSpecs(g, "inputs", v.inputs());
            writeSpecs(g, "outputs", v.outputs());
            g.writeEndObject();
        });
    }

    private static void writeSpecs(JsonGenerator g, String field, List<TensorSpec> specs) throws IOException {
        g.writeArrayFieldStart(field);
        for (TensorSpec s : specs) {
            g.writeStartObject();
            g.writeStringField("name", s.name);
            g.writeStringField("datatype", s.datatype());
            g.writeArrayFieldStart("shape");
            for (int d : s.shape) g.writeNumber(d);
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** A requested output: its name and whether it goes back as binary data. */
    private static final class Wanted {
        final String name;
        final boolean binary;

        Wanted(String name, boolean binary) {
            this.name = name;
            this.binary = binary;
        }
    }

    Reply infer(String model, Long version, byte[] body, String headerLength) {
        dispatcher.find(model, version);   // an unknown model is a 404, whatever the body
        int jsonLength = body.length;
        if (headerLength != null) {
            try {
                jsonLength = Integer.parseInt(headerLength.trim());
            } catch (NumberFormatException e) {
                jsonLength = -1;
            }
            if (jsonLength < 0 || jsonLength > body.length) {
                throw ServingException.badRequest(HEADER_LENGTH + " is '" + headerLength + "', the body has " + body.length + " bytes");
            }
        }
        JsonNode root = JsonMappers.parse(mapper, body, 0, jsonLength);
        if (!root.isObject()) throw ServingException.badRequest("the inference request must be a JSON object");
        String id = null;
        if (root.has("id")) {
            if (!root.get("id").isTextual()) throw ServingException.badRequest("\"id\" must be a string");
            id = root.get("id").asText();
        }
        JsonNode params = root.get("parameters");
        if (params != null && !params.isObject()) throw ServingException.badRequest("\"parameters\" must be an object");
        boolean binaryOutputs = params != null && flag(params, "binary_data_output");
        JsonNode inputs = root.get("inputs");
        if (inputs == null || !inputs.isArray() || inputs.isEmpty()) throw ServingException.badRequest("\"inputs\" must be a non-empty list of tensors");
        ByteBuffer binary = ByteBuffer.wrap(body, jsonLength, body.length - jsonLength).slice().order(ByteOrder.LITTLE_ENDIAN);
        Map<String, Tensor> named = readInputs(inputs, binary);
        if (binary.hasRemaining()) {
            throw ServingException.badRequest("the body has " + binary.remaining() + " bytes after the tensors' binary data");
        }
        JsonNode outputs = root.get("outputs");
        List<Wanted> wanted = null;
        if (outputs != null) {
            if (!outputs.isArray()) throw ServingException.badRequest("\"outputs\" must be a list");
            wanted = new ArrayList<>();
            for (JsonNode o : outputs) {
                if (!o.isObject() || !o.has("name") || !o.get("name").isTextual()) {
                    throw ServingException.badRequest("each of \"outputs\" must be an object with a \"name\"");
                }
                JsonNode p = o.get("parameters");
                if (p != null && !p.isObject()) throw ServingException.badRequest("output \"parameters\" must be an object");
                wanted.add(new Wanted(o.get("name").asText(), p != null && p.has("binary_data") ? flag(p, "binary_data") : binaryOutputs));
            }
        }
        List<Wanted> requested = wanted;
        Dispatcher.Result r = dispatcher.infer(model, version, v -> {
            if (requested != null) {
                for (Wanted w : requested) {
                    if (index(v.outputs(), w.name) < 0) {
                        throw ServingException.badRequest("model '" + v.model + "' has no output named " + ServingException.quote(w.name) + "; its outputs are " + v.outputs());
                    }
                }
            }
            return named;
        });
        List<Wanted> out = requested;
        if (out == null) {
            out = new ArrayList<>();
            for (TensorSpec s : r.version.outputs()) out.add(new Wanted(s.name, binaryOutputs));
        }
        return response(r, id, out);
    }

    private static boolean flag(JsonNode params, String name) {
        JsonNode f = params.get(name);
        if (f == null) return false;
        if (!f.isBoolean()) throw ServingException.badRequest("parameter \"" + name + "\" must be true or false");
        return f.booleanValue();
    }

    private Map<String, Tensor> readInputs(JsonNode inputs, ByteBuffer binary) {
        Map<String, Tensor> named = new LinkedHashMap<>();
        for (JsonNode in : inputs) {
            if (!in.isObject()) throw ServingException.badRequest("each of \"inputs\" must be an object");
            JsonNode nameNode = in.get("name");
            if (nameNode == null || !nameNode.isTextual()) throw ServingException.badRequest("an input has no \"name\"");
            String name = nameNode.asText();
            String what = "input " + ServingException.quote(name);
            if (named.containsKey(name)) throw ServingException.badRequest(what + " is given twice");
            JsonNode dt = in.get("datatype");
            if (dt == null || !dt.isTextual()) throw ServingException.badRequest(what + " has no \"datatype\"");
            DType dtype = dtype(dt.asText(), what);
            int[] shape = shape(in.get("shape"), what);
            int count = elementCount(shape, what);
            JsonNode p = in.get("parameters");
            if (p != null && !p.isObject()) throw ServingException.badRequest(what + ": \"parameters\" must be an object");
            Object data;
            if (p != null && p.has("binary_data_size")) {
                if (in.has("data")) throw ServingException.badRequest(what + " has both \"data\" and binary data");
                data = readBinary(p.get("binary_data_size"), dtype, count, binary, what);
            } else {
                JsonNode d = in.get("data");
                if (d == null || !d.isArray()) throw ServingException.badRequest(what + " has no \"data\" list");
                data = TensorJson.read(d, dtype, count, what);
            }
            named.put(name, Tensor.wrap(data, dtype, Shape.of(shape)));
        }
        return named;
    }

    private static Object readBinary(JsonNode sizeNode, DType dtype, int count, ByteBuffer binary, String what) {
        if (sizeNode == null || !sizeNode.canConvertToLong() || !sizeNode.isIntegralNumber()) {
            throw ServingException.badRequest(what + ": \"binary_data_size\" must be a whole number");
        }
        long size = sizeNode.longValue();
        long expected = (long) count * Datatypes.binarySize(dtype);
        if (size != expected) throw ServingException.badRequest(what + ": \"binary_data_size\" is " + size + ", its shape and datatype need " + expected);
        if (size > binary.remaining()) throw ServingException.badRequest(what + ": the body holds " + binary.remaining() + " bytes of binary data, not " + size);
        Object out = BatchRows.newArray(dtype, count);
        switch (dtype) {
            case FLOAT32: binary.asFloatBuffer().get((float[]) out); break;
            case FLOAT64: binary.asDoubleBuffer().get((double[]) out); break;
            case INT64: binary.asLongBuffer().get((long[]) out); break;
            default: for (int i = 0; i < count; i++) ((boolean[]) out)[i] = binary.get(binary.position() + i) != 0;
        }
        binary.position(binary.position() + (int) size);
        return out;
    }

    static DType dtype(String name, String what) {
        switch (name) {
            case "FP32": return DType.FLOAT32;
            case "FP64": return DType.FLOAT64;
            case "INT64": return DType.INT64;
            case "BOOL": return DType.BOOL;
            case "UINT8": case "UINT16": case "UINT32": case "UINT64": case "INT8": case "INT16": case "INT32": case "FP16": case "BF16": case "BYTES":
                throw ServingException.badRequest(what + " has datatype " + name + ", which Janus models do not take (FP32, FP64, INT64, BOOL)");
            default:
                throw ServingException.badRequest(what + " has an unknown datatype " + ServingException.quote(name));
        }
    }

    private static int[] shape(JsonNode s, String what) {
        if (s == null || !s.isArray()) throw ServingException.badRequest(what + " has no \"shape\" list");
        if (s.size() > 16) throw ServingException.badRequest(what + ": a shape of rank " + s.size() + " is over the limit of 16");
        int[] out = new int[s.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode d = s.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 0) {
                throw ServingException.badRequest(what + ": shape " + s + " must hold whole numbers of at least 0");
            }
            out[i] = d.intValue();
        }
        return out;
    }

    /** The element count, refused beyond what any body within the limit could hold. */
    private static int elementCount(int[] shape, String what) {
        long n = 1;
        for (int d : shape) {
            n *= d;
            if (n > Integer.MAX_VALUE / 8) throw ServingException.badRequest(what + ": shape is too large");
        }
        return (int) n;
    }

    private static int index(List<TensorSpec> specs, String name) {
        for (int i = 0; i < specs.size(); i++) if (specs.get(i).name.equals(name)) return i;
        return -1;
    }

    private Reply response(Dispatcher.Result r, String id, List<Wanted> wanted) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        List<byte[]> blobs = new ArrayList<>();
        try (JsonGenerator g = mapper.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("model_name", r.version.model);
            g.writeStringField("model_version", Long.toString(r.version.version));
            if (id != null) g.writeStringField("id", id);
            g.writeArrayFieldStart("outputs");
            for (Wanted w : wanted) {
                int i = index(r.version.outputs(), w.name);
                Tensor t = r.outputs.get(i);
                g.writeStartObject();
                g.writeStringField("name", w.name);
                g.writeStringField("datatype", Datatypes.v2Name(t.dtype()));
                g.writeArrayFieldStart("shape");
                for (int d : t.shape().dims()) g.writeNumber(d);
                g.writeEndArray();
                Object elements = BatchRows.elements(t);
                if (w.binary) {
                    byte[] blob = binary(elements, t);
                    blobs.add(blob);
                    g.writeObjectFieldStart("parameters");
                    g.writeNumberField("binary_data_size", blob.length);
                    g.writeEndObject();
                } else {
                    g.writeFieldName("data");
                    TensorJson.writeFlat(g, elements, t.dtype(), t.numel());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (blobs.isEmpty()) return new Reply(200, Reply.JSON, out.toByteArray());
        int headerLength = out.size();
        for (byte[] b : blobs) out.writeBytes(b);
        return new Reply(200, "application/octet-stream", out.toByteArray()).header(HEADER_LENGTH, Integer.toString(headerLength));
    }

    private static byte[] binary(Object elements, Tensor t) {
        ByteBuffer b = ByteBuffer.allocate(t.numel() * Datatypes.binarySize(t.dtype())).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.dtype()) {
            case FLOAT32: b.asFloatBuffer().put((float[]) elements); break;
            case FLOAT64: b.asDoubleBuffer().put((double[]) elements); break;
            case INT64: b.asLongBuffer().put((long[]) elements); break;
            default: for (boolean v : (boolean[]) elements) b.put((byte) (v ? 1 : 0));
        }
        return b.array();
    }
}
