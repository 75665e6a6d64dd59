package dev.janus.examples.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Just enough JSON for the DevTools protocol: objects as maps, arrays as lists, numbers as doubles. */
final class Json {
    private final String s;
    private int at;

    private Json(String s) {
        this.s = s;
    }

    static Object parse(String text) {
        Json p = new Json(text);
        Object v = p.value();
        p.space();
        if (p.at != text.length()) throw p.error("trailing text");
        return v;
    }

    static String write(Object v) {
        if (v == null) return "null";
        if (v instanceof String) {
            StringBuilder sb = new StringBuilder("\"");
            for (char c : ((String) v).toCharArray()) {
                if (c == '"' || c == '\\') sb.append('\\').append(c);
                else if (c < 0x20) sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                else sb.append(c);
            }
            return sb.append('"').toString();
        }
        if (v instanceof Number || v instanceof Boolean) return v.toString();
        StringBuilder sb = new StringBuilder();
        if (v instanceof Map) {
            sb.append('{');
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (sb.length() > 1) sb.append(',');
                sb.append(write(String.valueOf(e.getKey()))).append(':').append(write(e.getValue()));
            }
            return sb.append('}').toString();
        }
        sb.append('[');
        for (Object o : (List<?>) v) {
            if (sb.length() > 1) sb.append(',');
            sb.append(write(o));
        }
        return sb.append(']').toString();
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("JSON: " + what + " at " + at + " of " + (s.length() > 200 ? s.substring(0, 200) + "..." : s));
    }

    private void space() {
        while (at < s.length() && Character.isWhitespace(s.charAt(at))) at++;
    }

    private Object value() {
        space();
        if (at >= s.length()) throw error("unexpected end");
        char c = s.charAt(at);
        if (c == '{') {
            at++;
            Map<String, Object> m = new LinkedHashMap<>();
            space();
            if (s.charAt(at) == '}') {
                at++;
                return m;
            }
            while (true) {
                space();
                String key = string();
                space();
                if (s.charAt(at++) != ':') throw error("expected ':'");
                m.put(key, value());
                space();
                char d = s.charAt(at++);
                if (d == '}') return m;
                if (d != ',') throw error("expected ',' or '}'");
            }
        }
        if (c == '[') {
            at++;
            List<Object> l = new ArrayList<>();
            space();
            if (s.charAt(at) == ']') {
                at++;
                return l;
            }
            while (true) {
                l.add(value());
                space();
                char d = s.charAt(at++);
                if (d == ']') return l;
                if (d != ',') throw error("expected ',' or ']'");
            }
        }
        if (c == '"') return string();
        if (s.startsWith("true", at)) {
            at += 4;
            return true;
        }
        if (s.startsWith("false", at)) {
            at += 5;
            return false;
        }
        if (s.startsWith("null", at)) {
            at += 4;
            return null;
        }
        int start = at;
        while (at < s.length() && "+-0123456789.eE".indexOf(s.charAt(at)) >= 0) at++;
        if (start == at) throw error("unexpected '" + c + "'");
        return Double.parseDouble(s.substring(start, at));
    }

    private String string() {
        if (s.charAt(at) != '"') throw error("expected a string");
        at++;
        StringBuilder sb = new StringBuilder();
        while (true) {
            char c = s.charAt(at++);
            if (c == '"') return sb.toString();
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = s.charAt(at++);
            switch (e) {
                case 'n': sb.append('\n'); break;
                case 't': sb.append('\t'); break;
                case 'r': sb.append('\r'); break;
                case 'b': sb.append('\b'); break;
                case 'f': sb.append('\f'); break;
                case 'u': sb.append((char) Integer.parseInt(s.substring(at, at + 4), 16)); at += 4; break;
                default: sb.append(e);
            }
        }
    }
}
