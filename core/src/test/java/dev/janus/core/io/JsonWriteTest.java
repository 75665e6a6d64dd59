package dev.janus.core.io;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Json.write, read back with Json.parse. */
class JsonWriteTest {
    @Test
    void writesWhatTheReaderReadsBack() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "a \"quoted\" \\ line\nbreak \u2028 and </script>");
        m.put("ints", new int[] {1, -2, 3});
        m.put("doubles", new double[] {0.5, -1e-7, 3});
        m.put("nested", List.of(true, false, Map.of("k", 2)));
        m.put("none", null);
        String text = Json.write(m);
        assertEquals("{\"name\": \"a \\\"quoted\\\" \\\\ line\\u000abreak \\u2028 and </script>\", \"ints\": [1, -2, 3], "
                + "\"doubles\": [0.5, -1.0E-7, 3], \"nested\": [true, false, {\"k\": 2}], \"none\": null}", text);
        Map<?, ?> back = (Map<?, ?>) Json.parse(text);
        assertEquals(m.get("name"), back.get("name"));
        assertEquals(List.of(1L, -2L, 3L), back.get("ints"));
        assertEquals(Arrays.asList(0.5, -1e-7, 3L), back.get("doubles"));
        assertEquals(List.of(true, false, Map.of("k", 2L)), back.get("nested"));
    }

    @Test
    void numbersThatJsonCannotHoldBecomeNull() {
        assertEquals("[null, null, null]", Json.write(new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
    }
}
