package dev.janus.serving;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;

/**
 * JSON as both protocols take it: NaN and Infinity allowed both ways (TF Serving's JSON
 * conformance rule; Python's json module reads them), duplicate keys and trailing data refused,
 * and nesting, string and number lengths bounded so that a hostile body cannot exhaust the stack.
 */
final class JsonMappers {
    /** For config files. */
    static final ObjectMapper MAPPER = mapper(64);

    private JsonMappers() {
    }

    /** A request body as a JSON tree; malformed or too deeply nested JSON is a 400 that says where. */
    static JsonNode parse(ObjectMapper mapper, byte[] body, int offset, int length) {
        if (length == 0) throw ServingException.badRequest("the request body is empty; a JSON object was expected");
        try {
            JsonNode n = mapper.readTree(body, offset, length);
            if (n == null || n.isMissingNode()) throw ServingException.badRequest("the request body holds no JSON");
            return n;
        } catch (StreamConstraintsException e) {
            throw new ServingException(400, "the request JSON is over a limit: " + e.getOriginalMessage(), 0, e);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new ServingException(400, "malformed JSON" + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
                    + ": " + e.getOriginalMessage(), 0, e);
        } catch (IOException e) {
            throw new ServingException(400, "cannot read the request JSON: " + e.getMessage(), 0, e);
        }
    }

    static ObjectMapper mapper(int maxDepth) {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxDepth).maxNumberLength(400)
                        .maxStringLength(1 << 20).maxNameLength(4096).build())
                .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        return JsonMapper.builder(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    }
}
