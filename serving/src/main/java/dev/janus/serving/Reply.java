package dev.janus.serving;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP answer: status, content type, body and extra headers. */
final class Reply {
    static final String JSON = "application/json";

    final int status;
    final String contentType;
    final byte[] body;
    final Map<String, String> headers = new LinkedHashMap<>();

    Reply(int status, String contentType, byte[] body) {
        this.status = status;
        this.contentType = contentType;
        this.body = body;
    }

    Reply header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    /** A health answer: the status says it all, the body is empty (KServe v2). */
    static Reply empty(int status) {
        return new Reply(status, null, new byte[0]);
    }

    /** Both protocols' error object: {"error": "message"}. */
    static Reply error(ObjectMapper mapper, int status, String message, int retryAfter) {
        Reply r = json(mapper, status, g -> {
            g.writeStartObject();
            g.writeStringField("error", message == null ? "error" : message);
            g.writeEndObject();
        });
        if (retryAfter > 0) r.header("Retry-After", Integer.toString(retryAfter));
        return r;
    }

    interface Writer {
        void write(JsonGenerator g) throws IOException;
    }

    static Reply json(ObjectMapper mapper, int status, Writer writer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = mapper.getFactory().createGenerator(out)) {
            writer.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Reply(status, JSON, out.toByteArray());
    }
}
