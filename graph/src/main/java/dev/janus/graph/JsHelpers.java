package dev.janus.graph;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The few math functions JavaScript lacks, written into a generated module only when one of its
 * ops calls them: the error function as Janus's kernels compute it (SpecialMath: the fast fit for
 * float32, the series and continued fraction for float64).
 */
final class JsHelpers {
    private static final Map<String, String> SOURCE = Map.of(
            "erfcFast", String.join("\n",
                    "function erfcFast(x) {",
                    "  const z = Math.abs(x), t = 1 / (1 + 0.5 * z);",
                    "  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418",
                    "      + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587",
                    "      + t * (-0.82215223 + t * 0.17087277)))))))));",
                    "  return x >= 0 ? r : 2 - r;",
                    "}"),
            "erfFast", String.join("\n",
                    "function erfFast(x) {",
                    "  if (Math.abs(x) < 0.5) {",
                    "    const x2 = x * x;",
                    "    let term = x, sum = x;",
                    "    for (let n = 0; n < 12; n++) {",
                    "      term *= 2 * x2 / (2 * n + 3);",
                    "      sum += term;",
                    "    }",
                    "    return 1.1283791670955126 * Math.exp(-x2) * sum;",
                    "  }",
                    "  return 1 - erfcFast(x);",
                    "}"),
            "erfSeries", String.join("\n",
                    "function erfSeries(x) {",
                    "  const x2 = x * x;",
                    "  let term = x, sum = x;",
                    "  for (let n = 0; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {",
                    "    term *= 2 * x2 / (2 * n + 3);",
                    "    sum += term;",
                    "  }",
                    "  return 1.1283791670955126 * Math.exp(-x2) * sum;",
                    "}"),
            "erfcFraction", String.join("\n",
                    "function erfcFraction(x) {",
                    "  let t = x;",
                    "  for (let n = 120; n >= 1; n--) t = x + 0.5 * n / t;",
                    "  return Math.exp(-x * x) * 0.5641895835477563 / t;",
                    "}"),
            "erf", String.join("\n",
                    "function erf(x) {",
                    "  const ax = Math.abs(x);",
                    "  if (ax < 2.5) return erfSeries(x);",
                    "  if (ax > 6) return Math.sign(x);",
                    "  return Math.sign(x) * (1 - erfcFraction(ax));",
                    "}"),
            "erfc", String.join("\n",
                    "function erfc(x) {",
                    "  if (x < 2.5) return 1 - erfSeries(x);",
                    "  if (x > 27) return 0;",
                    "  return erfcFraction(x);",
                    "}"));

    private static final Map<String, String[]> NEEDS = Map.of(
            "erfFast", new String[] {"erfcFast"},
            "erf", new String[] {"erfSeries", "erfcFraction"},
            "erfc", new String[] {"erfSeries", "erfcFraction"});

    private final Set<String> used = new LinkedHashSet<>();

    /** Marks a helper (and those it calls) as used; returns its name. */
    String use(String name) {
        if (!SOURCE.containsKey(name)) throw new IllegalArgumentException("no JavaScript helper " + name);
        for (String n : NEEDS.getOrDefault(name, new String[0])) use(n);
        used.add(name);
        return name;
    }

    /** The sources of the helpers used, one after another. */
    String source() {
        StringBuilder sb = new StringBuilder();
        for (String n : used) sb.append(SOURCE.get(n)).append("\n\n");
        return sb.toString();
    }
}
