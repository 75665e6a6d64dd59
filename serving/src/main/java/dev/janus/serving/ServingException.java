package dev.janus.serving;

/**
 * A request the server refuses or cannot answer, with the HTTP status to answer it with; the
 * message goes into the protocol's error JSON ({@code {"error": "..."}}) as it is.
 */
final class ServingException extends RuntimeException {
    final int status;
    /** Seconds for a Retry-After header (overload), or 0 for none. */
    final int retryAfter;

    ServingException(int status, String message) {
        this(status, message, 0, null);
    }

    ServingException(int status, String message, int retryAfter, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    static ServingException badRequest(String message) {
        return new ServingException(400, message);
    }

    /** A client-given name as it goes into a message: quoted, and cut short if long. */
    static String quote(String name) {
        return "'" + cut(name) + "'";
    }

    /** A client-given text cut to 100 characters, so that an error message never echoes a huge request back. */
    static String cut(String text) {
        return text.length() > 100 ? text.substring(0, 100) + "..." : text;
    }

    static ServingException notFound(String message) {
        return new ServingException(404, message);
    }

    static ServingException unavailable(String message) {
        return new ServingException(503, message, 1, null);
    }
}
