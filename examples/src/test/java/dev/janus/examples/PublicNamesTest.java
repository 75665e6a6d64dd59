package dev.janus.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No two public classes of Janus share a simple name, and none shares one with {@code java.lang}:
 * a user's wildcard imports of several packages then never meet an ambiguous name, and
 * {@code extends NNModule} never meets {@code java.lang.Module}. Read from the sources of every
 * module, so a new class in any of them is checked.
 */
class PublicNamesTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern PACKAGE = Pattern.compile("(?m)^package ([\\w.]+);");
    private static final Pattern TOP_LEVEL = Pattern.compile(
            "(?m)^public\\s+(?:(?:final|abstract|sealed|non-sealed|strictfp)\\s+)*(?:class|interface|enum|record|@interface)\\s+(\\w+)");
    /** Simple name -> the fully qualified names of the public top-level types of that name. */
    static Map<String, List<String>> publicTypes() throws IOException {
        Map<String, List<String>> types = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(ROOT)) {
            files = s.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/java/")
                    && !p.toString().contains("/target/")).sorted().toList();
        }
        for (Path f : files) {
            String src = Files.readString(f);
            Matcher pkg = PACKAGE.matcher(src);
            Matcher type = TOP_LEVEL.matcher(src);
            if (!type.find()) continue;
            String name = type.group(1);
            types.computeIfAbsent(name, k -> new ArrayList<>()).add((pkg.find() ? pkg.group(1) + "." : "") + name);
        }
        return types;
    }

    @Test
    void noTwoPublicClassesShareASimpleName() throws IOException {
        Map<String, List<String>> types = publicTypes();
        assertTrue(types.size() > 150, "found only " + types.size() + " public types: is the scan looking in the right place?");
        List<String> clashes = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : types.entrySet()) {
            if (e.getValue().size() > 1) clashes.add(e.getKey() + ": " + e.getValue());
        }
        assertEquals(List.of(), clashes, "public classes that share a simple name");
    }

    @Test
    void noPublicClassSharesANameWithJavaLang() throws IOException {
        List<String> clashes = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : publicTypes().entrySet()) {
            try {
                Class.forName("java.lang." + e.getKey());
                clashes.add(e.getValue() + " vs java.lang." + e.getKey());
            } catch (ClassNotFoundException absent) {
                // no clash
            }
        }
        assertEquals(List.of(), clashes);
    }
}
