package dev.janus.core.io;

import dev.janus.core.JanusException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A small JSON reader for the headers and side files Janus reads (safetensors headers, ONNX test
 * folders' data.json), and a writer ({@link #write}): objects (as ordered maps), arrays (lists), strings, numbers (Long when
 * whole, else Double), true, false and null. Errors name the character where the text went wrong.
 */
public final class Json {
    /** Headers and side files nest a few deep; far deeper is a crafted file, refused before the stack runs out. */
    static final int MAX_DEPTH = 64;
    private final String s;
    private int i, depth;

    private Json(String s) {
        this.s = s;
    }

    /** The value the whole text holds; an error for anything else after it. */
    public static Object parse(String text) {
        return new Json(text).document();
    }

    private Object document() {
        Object v = value();
        skip();
        if (i != s.length()) throw error("unexpected text after the value");
        return v;
    }

    private Object value() {
        skip();
        if (i >= s.length()) throw error("unexpected end");
        char c = s.charAt(i);
        if (c == '{' || c == '[') {
            if (++depth > MAX_DEPTH) throw error("objects and arrays nest more than " + MAX_DEPTH + " deep");
            Object v = c == '{' ? object() : array();
            depth--;
            return v;
        }
        if (c == '"') return string();
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        if (s.startsWith("true", i)) return literal("true", Boolean.TRUE);
        if (s.startsWith("false", i)) return literal("false", Boolean.FALSE);
        if (s.startsWith("null", i)) return literal("null", null);
        throw error("unexpected character '" + c + "'");
    }

    private Object literal(String word, Object v) {
        i += word.length();
        return v;
    }

    private Map<String, Object> object() {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        skip();
        if (peek() == '}') {
            i++;
            return m;
        }
        while (true) {
            skip();
            if (peek() != '"') throw error("expected a key");
            String k = string();
            skip();
            expect(':');
            if (m.put(k, value()) != null) throw error("key '" + k + "' appears twice");
            skip();
            if (peek() == ',') {
                i++;
            } else {
                expect('}');
                return m;
            }
        }
    }

    private List<Object> array() {
        List<Object> a = new ArrayList<>();
        i++;
        skip();
        if (peek() == ']') {
            i++;
            return a;
        }
        while (true) {
            a.add(value());
            skip();
            if (peek() == ',') {
                i++;
            } else {
                expect(']');
                return a;
            }
        }
    }

    private String string() {
        StringBuilder sb = new StringBuilder();
        i++;
        while (true) {
            if (i >= s.length()) throw error("unterminated string");
            char c = s.charAt(i++);
            if (c == '"') return sb.toString();
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (i >= s.length()) throw error("unterminated escape");
            char e = s.charAt(i++);
            switch (e) {
                case '"': case '\\': case '/': sb.append(e); break;
                case 'b': sb.append('\b'); break;
                case 'f': sb.append('\f'); break;
                case 'n': sb.append('\n'); break;
                case 'r': sb.append('\r'); break;
                case 't': sb.append('\t'); break;
                case 'u':
                    if (i + 4 > s.length()) throw error("short \\u escape");
                    try {
                        sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    } catch (NumberFormatException x) {
                        throw error("bad \\u escape");
                    }
                    i += 4;
                    break;
                default: throw error("bad escape \\" + e);
            }
        }
    }

    /** A Long when the number is written whole, else a Double. */
    private Object number() {
        int start = i;
        if (peek() == '-') i++;
        while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
        boolean whole = true;
        if (peek() == '.') {
            whole = false;
            i++;
            while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
        }
        if (peek() == 'e' || peek() == 'E') {
            whole = false;
            i++;
            if (peek() == '+' || peek() == '-') i++;
            while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
        }
        String text = s.substring(start, i);
        try {
            return whole ? (Object) Long.parseLong(text) : (Object) Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw error("bad number '" + text + "'");
        }
    }

    private char peek() {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private void expect(char c) {
        if (peek() != c) throw error("expected '" + c + "'");
        i++;
    }

    private void skip() {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
    }

    private JanusException error(String what) {
        return new JanusException(what + " at character " + i);
    }

    /**
     * JSON text of maps, lists, strings, numbers (non-finite ones as null), int and double arrays,
     * booleans and null: what Janus writes (a web page's settings, protocol messages).
     */
    public static String write(Object v) {
        StringBuilder sb = new StringBuilder();
        write(v, sb);
        return sb.toString();
    }

    private static void write(Object v, StringBuilder sb) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String) {
            sb.append('"');
            for (char c : ((String) v).toCharArray()) {
                if (c == '"' || c == '\\') sb.append('\\').append(c);
                else if (c < 0x20 || c == 0x2028 || c == 0x2029) sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                else sb.append(c);
            }
            sb.append('"');
        } else if (v instanceof Number) {
            double d = ((Number) v).doubleValue();
            sb.append(!Double.isFinite(d) ? "null" : d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d));
        } else if (v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof Map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (!first) sb.append(", ");
                first = false;
                write(String.valueOf(e.getKey()), sb);
                sb.append(": ");
                write(e.getValue(), sb);
            }
            sb.append('}');
        } else if (v instanceof int[] || v instanceof double[] || v instanceof List) {
            List<Object> items = new ArrayList<>();
            if (v instanceof int[]) for (int i : (int[]) v) items.add(i);
            else if (v instanceof double[]) for (double d : (double[]) v) items.add(d);
            else items.addAll((List<?>) v);
            sb.append('[');
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) sb.append(", ");
                write(items.get(i), sb);
            }
            sb.append(']');
        } else {
            throw new IllegalArgumentException("no JSON for " + v.getClass().getSimpleName());
        }
    }
}
