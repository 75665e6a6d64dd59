package dev.janus.serving;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The HTTP side: checks the bearer token, routes each path of both protocols (and /metrics),
 * reads bodies within the size limit (413 beyond it), and turns every failure into the protocol's
 * error JSON with its status. Nothing a request does escapes as an exception: an unexpected one is
 * logged and answered with 500, and the server goes on.
 */
final class HttpFront extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(HttpFront.class);

    private final ObjectMapper mapper;
    private final KServeV2 v2;
    private final TfServing v1;
    private final ServerMetrics metrics;
    private final ModelRepository repository;
    private final long maxBody;
    private final byte[] token;
    private final BooleanSupplier draining;

    HttpFront(ObjectMapper mapper, KServeV2 v2, TfServing v1, ServerMetrics metrics, ModelRepository repository, long maxBody, String token,
              BooleanSupplier draining) {
        this.mapper = mapper;
        this.v2 = v2;
        this.v1 = v1;
        this.metrics = metrics;
        this.repository = repository;
        this.maxBody = maxBody;
        this.token = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        this.draining = draining;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Reply reply;
        try {
            reply = route(request);
        } catch (ServingException e) {
            reply = Reply.error(mapper, e.status, e.getMessage(), e.retryAfter);
        } catch (Throwable e) {   // never let a request take the server down
            LOG.error("unexpected failure answering {} {}", request.getMethod(), request.getHttpURI().getPath(), e);
            reply = Reply.error(mapper, 500, "internal error: " + e, 0);
        }
        metrics.response(reply.status);
        response.setStatus(reply.status);
        if (reply.contentType != null) response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType);
        for (Map.Entry<String, String> h : reply.headers.entrySet()) response.getHeaders().put(h.getKey(), h.getValue());
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, reply.body.length);
        response.write(true, ByteBuffer.wrap(reply.body), callback);
        return true;
    }

    private Reply route(Request request) throws IOException {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        String[] s = path.length() > 1 && path.startsWith("/") ? path.substring(1).split("/", -1) : new String[0];
        if (s.length == 3 && s[0].equals("v2") && s[1].equals("health")) {
            if (s[2].equals("live")) return get(method, () -> Reply.empty(200));
            if (s[2].equals("ready")) return get(method, () -> Reply.empty(!draining.getAsBoolean() && repository.allReady() ? 200 : 400));
        }
        Reply refused = authorize(request);
        if (refused != null) return refused;
        if (s.length == 1 && s[0].equals("metrics")) {
            return get(method, () -> new Reply(200, metrics.contentType(), metrics.scrape()));
        }
        if (s.length == 1 && s[0].equals("v2")) return get(method, v2::serverMetadata);
        if (s.length >= 3 && s[0].equals("v2") && s[1].equals("models")) {
            String model = modelName(s[2]);
            int at = 3;
            Long version = null;
            if (s.length >= 5 && s[3].equals("versions")) {
                version = version(s[4]);
                at = 5;
            }
            Long v = version;
            if (s.length == at) return get(method, () -> v2.modelMetadata(model, v));
            if (s.length == at + 1 && s[at].equals("ready")) return get(method, () -> v2.modelReady(model, v));
            if (s.length == at + 1 && s[at].equals("infer")) {
                if (!method.equals("POST")) return notAllowed("POST");
                byte[] body = body(request);
                return v2.infer(model, v, body, request.getHeaders().get(KServeV2.HEADER_LENGTH));
            }
        }
        if (s.length >= 3 && s[0].equals("v1") && s[1].equals("models")) {
            // /v1/models/{m}[/versions/{v}][/metadata | :predict]
            String last = s[s.length - 1];
            int colon = last.lastIndexOf(':');
            String verb = colon >= 0 ? last.substring(colon + 1) : null;
            if (colon >= 0) s[s.length - 1] = last.substring(0, colon);
            String model = modelName(s[2]);
            int at = 3;
            Long version = null;
            if (s.length >= 5 && s[3].equals("versions")) {
                version = version(s[4]);
                at = 5;
            }
            Long v = version;
            if (verb != null) {
                if (s.length != at) return noEndpoint(method, path);
                if (!verb.equals("predict")) {
                    throw ServingException.badRequest(ServingException.quote(verb) + " is not supported: Janus serves ':predict' (not classify or regress, which take tf.Example)");
                }
                if (!method.equals("POST")) return notAllowed("POST");
                return v1.predict(model, v, body(request));
            }
            if (s.length == at) return get(method, () -> v1.status(model, v));
            if (s.length == at + 1 && s[at].equals("metadata")) return get(method, () -> v1.metadata(model, v));
        }
        return noEndpoint(method, path);
    }

    private Reply noEndpoint(String method, String path) {
        return Reply.error(mapper, 404, "no such endpoint: " + method + " " + ServingException.cut(path), 0);
    }

    private interface Answer {
        Reply get() throws IOException;
    }

    private Reply get(String method, Answer answer) throws IOException {
        if (!method.equals("GET") && !method.equals("HEAD")) return notAllowed("GET");
        return answer.get();
    }

    private Reply notAllowed(String allowed) {
        return Reply.error(mapper, 405, "this endpoint takes " + allowed, 0).header("Allow", allowed);
    }

    /** Null when the request may go on (no token set, or the right one given); else the 401 to answer. */
    private Reply authorize(Request request) {
        if (token == null) return null;
        HttpField h = request.getHeaders().getField(HttpHeader.AUTHORIZATION);
        byte[] given = h == null ? new byte[0] : h.getValue().getBytes(StandardCharsets.UTF_8);
        if (MessageDigest.isEqual(given, token)) return null;
        return Reply.error(mapper, 401, h == null ? "missing bearer token (Authorization: Bearer <token>)" : "wrong bearer token", 0)
                .header("WWW-Authenticate", "Bearer realm=\"janus\"");
    }

    /** A model name from the URL: plain, as the repository's names are (it is looked up, never used as a path). */
    private static String modelName(String s) {
        if (!ModelRepository.NAME.matcher(s).matches()) {
            throw ServingException.badRequest("invalid model name " + ServingException.quote(s) + ": letters, digits, '_', '-' and '.' only");
        }
        return s;
    }

    private static Long version(String s) {
        if (!ModelRepository.VERSION.matcher(s).matches()) {
            throw ServingException.badRequest("invalid model version " + ServingException.quote(s) + ": a version is a positive whole number");
        }
        return Long.parseLong(s);
    }

    private byte[] body(Request request) throws IOException {
        long declared = request.getLength();
        if (declared > maxBody) throw tooLarge(declared);
        try (InputStream in = Request.asInputStream(request)) {
            byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBody + 1));
            if (b.length > maxBody) throw tooLarge(-1);
            return b;
        }
    }

    private ServingException tooLarge(long declared) {
        return new ServingException(413, "the request body " + (declared >= 0 ? "of " + declared + " bytes " : "") + "is over the limit of "
                + maxBody + " bytes", 0, null);
    }
}
