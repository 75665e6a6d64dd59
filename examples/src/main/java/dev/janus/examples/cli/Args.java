package dev.janus.examples.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A command's arguments: options ({@code --name value} or {@code --name=value}), switches
 * ({@code --name}) and the positional arguments, in order. An option the command does not know is
 * an error, as is an option without its value.
 */
final class Args {
    private final Map<String, String> values = new HashMap<>();
    private final Set<String> switches = new HashSet<>();
    private final List<String> positional = new ArrayList<>();

    private Args() {
    }

    /** {@code options}: names that take a value; {@code switchNames}: names that do not (both without "--"). */
    static Args parse(List<String> args, Set<String> options, Set<String> switchNames) throws CliError {
        Args a = new Args();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") || arg.equals("--")) {
                if (arg.startsWith("-") && arg.length() > 1 && !isNumber(arg)) throw CliError.usage("unknown option " + arg);
                a.positional.add(arg);
                continue;
            }
            int eq = arg.indexOf('=');
            String name = arg.substring(2, eq < 0 ? arg.length() : eq);
            if (switchNames.contains(name)) {
                if (eq >= 0) throw CliError.usage("--" + name + " takes no value");
                a.switches.add(name);
            } else if (options.contains(name)) {
                String value;
                if (eq >= 0) value = arg.substring(eq + 1);
                else if (i + 1 < args.size()) value = args.get(++i);
                else throw CliError.usage("--" + name + " needs a value");
                if (a.values.put(name, value) != null) throw CliError.usage("--" + name + " is given twice");
            } else {
                throw CliError.usage("unknown option --" + name);
            }
        }
        return a;
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    List<String> positional() {
        return positional;
    }

    boolean has(String switchName) {
        return switches.contains(switchName);
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /** One of {@code choices}. */
    String choice(String name, String fallback, String... choices) throws CliError {
        String v = get(name, fallback);
        for (String c : choices) if (c.equals(v)) return v;
        throw CliError.usage("--" + name + " must be one of " + String.join(", ", choices) + ", got '" + v + "'");
    }

    int integer(String name, int fallback, int min) throws CliError {
        String v = values.get(name);
        if (v == null) return fallback;
        try {
            int n = Integer.parseInt(v);
            if (n < min) throw CliError.usage("--" + name + " must be at least " + min + ", got " + n);
            return n;
        } catch (NumberFormatException e) {
            throw CliError.usage("--" + name + " must be a whole number, got '" + v + "'");
        }
    }

    long longValue(String name, long fallback) throws CliError {
        String v = values.get(name);
        if (v == null) return fallback;
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw CliError.usage("--" + name + " must be a whole number, got '" + v + "'");
        }
    }

    /** A number in [min, max) (or [min, max] when {@code maxIncluded}). */
    double number(String name, double fallback, double min, double max, boolean maxIncluded) throws CliError {
        String v = values.get(name);
        if (v == null) return fallback;
        double d;
        try {
            d = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw CliError.usage("--" + name + " must be a number, got '" + v + "'");
        }
        if (!(d >= min && (maxIncluded ? d <= max : d < max))) {
            throw CliError.usage("--" + name + " must be in [" + min + ", " + max + (maxIncluded ? "]" : ")") + ", got " + v);
        }
        return d;
    }

    /** A comma-separated list of positive whole numbers, such as "64,32". */
    int[] sizes(String name, String fallback) throws CliError {
        String v = get(name, fallback);
        if (v.isBlank()) return new int[0];
        String[] parts = v.split(",");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                out[i] = -1;
            }
            if (out[i] < 1) throw CliError.usage("--" + name + " must be positive whole numbers separated by commas (such as 64,32), got '" + v + "'");
        }
        return out;
    }
}
