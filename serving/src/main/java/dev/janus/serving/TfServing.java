package dev.janus.serving;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * TensorFlow Serving's REST API: model status, model metadata (one signature,
 * "serving_default"), and predict with inputs in row ("instances") or columnar ("inputs") form,
 * answered as "predictions" or "outputs". Tensors are nested JSON lists whose nesting gives the
 * shape; numbers take the dtype of the model's input.
 */
final class TfServing {
    static final String SIGNATURE = "serving_default";

    private final ObjectMapper mapper;
    private final Dispatcher dispatcher;

    TfServing(ObjectMapper mapper, Dispatcher dispatcher) {
        this.mapper = mapper;
        this.dispatcher = dispatcher;
    }

    /** TF Serving's words for a missing servable. */
    static String notFound(String model, Long version) {
        return "Servable not found for request: " + (version == null ? "Latest(" + model + ")" : "Specific(" + model + ", " + version + ")");
    }

    private ModelVersion find(String model, Long version) {
        try {
            return dispatcher.find(model, version);
        } catch (ServingException e) {
            if (e.status == 404) throw new ServingException(404, notFound(model, version) + " (" + e.getMessage() + ")", 0, e);
            throw e;
        }
    }

    /** GetModelStatusResponse: each served version AVAILABLE, each refused one END with its reason. */
    Reply status(String model, Long version) {
        ModelRepository.Model m = dispatcher.model(model);
        if (m == null) throw ServingException.notFound(notFound(model, version));
        TreeMap<Long, String> states = new TreeMap<>();
        for (long v : m.versions.keySet()) states.put(v, null);
        for (Map.Entry<Long, String> e : m.refused.entrySet()) states.putIfAbsent(e.getKey(), e.getValue());
        if (version != null) {
            if (!states.containsKey(version)) throw ServingException.notFound(notFound(model, version));
            states.keySet().retainAll(List.of(version));
        }
        return Reply.json(mapper, 200, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("model_version_status");
            for (Map.Entry<Long, String> e : states.descendingMap().entrySet()) {
                g.writeStartObject();
                g.writeStringField("version", Long.toString(e.getKey()));
                g.writeStringField("state", e.getValue() == null ? "AVAILABLE" : "END");
                g.writeObjectFieldStart("status");
                g.writeStringField("error_code", e.getValue() == null ? "OK" : "UNKNOWN");
                g.writeStringField("error_message", e.getValue() == null ? "" : e.getValue());
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** GetModelMetadataResponse with the one signature, "serving_default". */
    Reply metadata(String model, Long version) {
        ModelVersion v = find(model, version);
        return Reply.json(mapper, 200, g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("model_spec");
            g.writeStringField("name", v.model);
            g.writeStringField("signature_name", "");
            g.writeStringField("version", Long.toString(v.version));
            g.writeEndObject();
            g.writeObjectFieldStart("metadata");
            g.writeObjectFieldStart("signature_def");
            g.writeObjectFieldStart("signature_def");
            g.writeObjectFieldStart(SIGNATURE);
            writeSignature(g, "inputs", v.inputs());
            writeSignature(g, "outputs", v.outputs());
            g.writeStringField("method_name", "tensorflow/serving/predict");
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    private static void writeSignature(JsonGenerator g, String field, List<TensorSpec> specs) throws IOException {
        g.writeObjectFieldStart(field);
        for (TensorSpec s : specs) {
            g.writeObjectFieldStart(s.name);
            g.writeStringField("dtype", Datatypes.tfName(s.dtype));
            g.writeObjectFieldStart("tensor_shape");
            g.writeArrayFieldStart("dim");
            for (int d : s.shape) {
                g.writeStartObject();
                g.writeStringField("size", Integer.toString(d));
                g.writeStringField("name", "");
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeBooleanField("unknown_rank", false);
            g.writeEndObject();
            g.writeStringField("name", s.name);
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    Reply predict(String model, Long version, byte[] body) {
        find(model, version);   // an unknown model is a 404 in TF Serving's words, whatever the body
        JsonNode root = JsonMappers.parse(mapper, body, 0, body.length);
        if (!root.isObject()) throw ServingException.badRequest("the predict request must be a JSON object");
        if (root.has("signature_name")) {
            JsonNode s = root.get("signature_name");
            if (!s.isTextual() || !s.asText().equals(SIGNATURE)) {
                throw ServingException.badRequest("Serving signature name: \"" + ServingException.cut(s.asText()) + "\" not found in signature def (the one signature is \""
                        + SIGNATURE + "\")");
            }
        }
        JsonNode instances = root.get("instances"), inputs = root.get("inputs");
        if (instances != null && inputs != null) throw ServingException.badRequest("Not both 'inputs' and 'instances' may be given: use one of them");
        if (instances == null && inputs == null) throw ServingException.badRequest("Missing 'inputs' or 'instances' key");
        boolean rows = instances != null;
        Dispatcher.Result r = dispatcher.infer(model, version, v -> rows ? fromRows(v, instances) : fromColumns(v, inputs));
        return rows ? predictions(r) : outputs(r);
    }

    /** Row form: a list of instances, each one input's value or an object of every input's value. */
    private static Map<String, Tensor> fromRows(ModelVersion v, JsonNode instances) {
        if (!instances.isArray() || instances.isEmpty()) throw ServingException.badRequest("'instances' must be a non-empty list");
        List<TensorSpec> specs = v.inputs();
        boolean objects = instances.get(0).isObject();
        if (!objects && specs.size() != 1) {
            throw ServingException.badRequest("model '" + v.model + "' takes " + specs.size() + " inputs " + specs
                    + ": each instance must be an object of input name to value");
        }
        Map<String, Tensor> named = new LinkedHashMap<>();
        for (TensorSpec s : specs) {
            List<JsonNode> values = new ArrayList<>(instances.size());
            for (JsonNode inst : instances) {
                if (inst.isObject() != objects) throw ServingException.badRequest("the instances mix objects and plain values");
                if (!objects) {
                    values.add(inst);
                    continue;
                }
                JsonNode val = inst.get(s.name);
                if (val == null) throw ServingException.badRequest("an instance has no value for input '" + s.name + "'; model '" + v.model + "' takes " + specs);
                values.add(val);
            }
            named.put(s.name, stack(values, s, "input '" + s.name + "'"));
        }
        if (objects) {
            for (JsonNode inst : instances) {
                for (Iterator<String> it = inst.fieldNames(); it.hasNext(); ) {
                    String f = it.next();
                    if (!named.containsKey(f)) throw ServingException.badRequest("model '" + v.model + "' has no input named " + ServingException.quote(f) + "; its inputs are " + specs);
                }
            }
        }
        return named;
    }

    /** The instances' values stacked into one tensor along a new first dimension. */
    private static Tensor stack(List<JsonNode> values, TensorSpec spec, String what) {
        int[] row = TensorJson.shapeOf(values.get(0), what);
        int[] shape = new int[row.length + 1];
        shape[0] = values.size();
        System.arraycopy(row, 0, shape, 1, row.length);
        JsonNode all = JsonNodeFactory.instance.arrayNode(values.size()).addAll(values);
        TensorJson.shapeOf(all, what);   // every instance has the first one's shape
        return Tensor.wrap(TensorJson.read(all, spec.dtype, -1, what), spec.dtype, Shape.of(shape));
    }

    /** Columnar form: one input's tensor, or an object of input name to tensor. */
    private static Map<String, Tensor> fromColumns(ModelVersion v, JsonNode inputs) {
        List<TensorSpec> specs = v.inputs();
        Map<String, Tensor> named = new LinkedHashMap<>();
        if (!inputs.isObject()) {
            if (specs.size() != 1) {
                throw ServingException.badRequest("model '" + v.model + "' takes " + specs.size() + " inputs " + specs + ": 'inputs' must be an object of input name to tensor");
            }
            named.put(specs.get(0).name, tensor(inputs, specs.get(0), "input '" + specs.get(0).name + "'"));
            return named;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = inputs.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            TensorSpec s = null;
            for (TensorSpec c : specs) if (c.name.equals(e.getKey())) s = c;
            if (s == null) throw ServingException.badRequest("model '" + v.model + "' has no input named " + ServingException.quote(e.getKey()) + "; its inputs are " + specs);
            named.put(s.name, tensor(e.getValue(), s, "input '" + s.name + "'"));
        }
        return named;
    }

    private static Tensor tensor(JsonNode value, TensorSpec spec, String what) {
        int[] shape = TensorJson.shapeOf(value, what);
        return Tensor.wrap(TensorJson.read(value, spec.dtype, -1, what), spec.dtype, Shape.of(shape));
    }

    private Reply predictions(Dispatcher.Result r) {
        List<TensorSpec> specs = r.version.outputs();
        return Reply.json(mapper, 200, g -> {
            g.writeStartObject();
            g.writeFieldName("predictions");
            if (specs.size() == 1) {
                writeTensor(g, r.outputs.get(0));
            } else {
                int n = r.outputs.get(0).rank() == 0 ? 1 : r.outputs.get(0).dim(0);
                List<Object> elements = new ArrayList<>();
                for (Tensor t : r.outputs) elements.add(BatchRows.elements(t));
                g.writeStartArray();
                for (int row = 0; row < n; row++) {
                    g.writeStartObject();
                    for (int o = 0; o < specs.size(); o++) {
                        Tensor t = r.outputs.get(o);
                        g.writeFieldName(specs.get(o).name);
                        int[] shape = t.shape().dims();
                        int per = shape.length == 0 || shape[0] == 0 ? 0 : t.numel() / shape[0];
                        TensorJson.writeNested(g, elements.get(o), t.dtype(), shape, 1, row * per);
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        });
    }

    private Reply outputs(Dispatcher.Result r) {
        List<TensorSpec> specs = r.version.outputs();
        return Reply.json(mapper, 200, g -> {
            g.writeStartObject();
            g.writeFieldName("outputs");
            if (specs.size() == 1) {
                writeTensor(g, r.outputs.get(0));
            } else {
                g.writeStartObject();
                for (int o = 0; o < specs.size(); o++) {
                    g.writeFieldName(specs.get(o).name);
                    writeTensor(g, r.outputs.get(o));
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        });
    }

    private static void writeTensor(JsonGenerator g, Tensor t) throws IOException {
        TensorJson.writeNested(g, BatchRows.elements(t), t.dtype(), t.shape().dims(), 0, 0);
    }
}
