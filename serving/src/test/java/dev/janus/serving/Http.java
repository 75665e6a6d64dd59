package dev.janus.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Java's HttpClient against a test server: requests by method and path, answers as status, headers and JSON. */
final class Http {
    static final ObjectMapper JSON = JsonMappers.mapper(64);
    private static final HttpClient SHARED = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final HttpClient client;
    final URI base;
    String token;

    Http(URI base) {
        this(SHARED, base);
    }

    Http(HttpClient client, URI base) {
        this.client = client;
        this.base = base;
    }

    static final class Answer {
        final int status;
        final HttpResponse<byte[]> response;

        Answer(HttpResponse<byte[]> response) {
            this.status = response.statusCode();
            this.response = response;
        }

        String text() {
            return new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return JSON.readTree(response.body());
            } catch (IOException e) {
                throw new AssertionError("not JSON (status " + status + "): " + text(), e);
            }
        }

        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }

        /** The error message of a {"error": "..."} answer (and nothing else in it). */
        String error() {
            JsonNode n = json();
            if (!n.isObject() || n.size() != 1 || !n.path("error").isTextual()) throw new AssertionError("not an error object: " + text());
            return n.get("error").asText();
        }
    }

    Answer get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    Answer post(String path, String body) {
        return send(HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json"));
    }

    Answer post(String path, byte[] body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return send(b);
    }

    Answer send(String method, String path, String body) {
        return send(HttpRequest.newBuilder(base.resolve(path)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)));
    }

    Answer send(HttpRequest.Builder b) {
        if (token != null) b.header("Authorization", "Bearer " + token);
        try {
            return new Answer(client.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
