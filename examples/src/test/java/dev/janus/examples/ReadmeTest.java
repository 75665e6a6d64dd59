package dev.janus.examples;

import dev.janus.examples.cli.Janus;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Keeps README.md honest. Every ```java block must be, line for line, a region of the examples'
 * sources marked "// README: name" ... "// README: end" (in a program the tests run, or in
 * ReadmeSnippetsTest), or of the spark module's (ReadmeSparkTest: Spark's snippets stay with
 * Spark, so that the examples never depend on it), and every such region must be in the README. Every "./janus ..." line of
 * a shell block names a real command and options it has; the test command is the one CI runs.
 */
class ReadmeTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern FENCE = Pattern.compile("(?m)^ *```(\\w*)\\n(.*?)^ *```", Pattern.DOTALL);
    private static final Pattern BEGIN = Pattern.compile("^\\s*// README: ([\\w-]+)\\s*$");

    static String readme() throws IOException {
        return Files.readString(ROOT.resolve("README.md"));
    }

    /** Modules whose sources hold README regions (read as text: the examples do not depend on spark). */
    private static final List<String> MODULES = List.of("examples", "spark");

    /** Region name -> its lines, dedented, from every Java file of those modules. */
    static Map<String, String> regions() throws IOException {
        return regions(new LinkedHashMap<>());
    }

    /** As {@link #regions()}, also telling {@code files} which source file holds each region. */
    static Map<String, String> regions(Map<String, Path> files) throws IOException {
        Map<String, String> regions = new LinkedHashMap<>();
        List<Path> sources = new ArrayList<>();
        for (String module : MODULES) {
            try (Stream<Path> s = Files.walk(ROOT.resolve(module).resolve("src"))) {
                sources.addAll(s.filter(p -> p.toString().endsWith(".java")).sorted().toList());
            }
        }
        for (Path f : sources) {
            List<String> lines = Files.readAllLines(f);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = BEGIN.matcher(lines.get(i));
                if (!m.matches() || m.group(1).equals("end")) continue;
                List<String> body = new ArrayList<>();
                int j = i + 1;
                while (j < lines.size() && !lines.get(j).strip().equals("// README: end")) body.add(lines.get(j++));
                if (j == lines.size()) fail(f + ": region " + m.group(1) + " has no '// README: end'");
                if (regions.put(m.group(1), dedent(body)) != null) fail("two regions named " + m.group(1));
                files.put(m.group(1), f);
            }
        }
        return regions;
    }

    static String dedent(List<String> lines) {
        int indent = Integer.MAX_VALUE;
        for (String l : lines) if (!l.isBlank()) indent = Math.min(indent, l.length() - l.stripLeading().length());
        StringBuilder sb = new StringBuilder();
        for (String l : lines) sb.append(l.isBlank() ? "" : l.substring(indent).stripTrailing()).append('\n');
        return sb.toString();
    }

    static List<String> blocks(String readme, String language) {
        List<String> out = new ArrayList<>();
        Matcher m = FENCE.matcher(readme);
        while (m.find()) if (m.group(1).equals(language)) out.add(dedent(m.group(2).lines().toList()));
        return out;
    }

    @Test
    void everyJavaBlockIsTestedCodeAndEveryRegionIsShown() throws IOException {
        Map<String, String> regions = regions();
        List<String> java = blocks(readme(), "java");
        assertFalse(java.isEmpty(), "README.md has java blocks");
        List<String> shown = new ArrayList<>();
        for (String block : java) {
            String name = null;
            for (Map.Entry<String, String> r : regions.entrySet()) if (r.getValue().equals(block)) name = r.getKey();
            if (name == null) fail("this README block is not a '// README:' region of the examples' sources (edit both together):\n" + block);
            shown.add(name);
        }
        List<String> unshown = new ArrayList<>(regions.keySet());
        unshown.removeAll(shown);
        assertTrue(unshown.isEmpty(), "regions marked for the README but not in it: " + unshown);
    }

    @Test
    void everyJanusCommandLineInTheReadmeExistsWithItsOptions() throws IOException {
        int seen = 0;
        for (String block : blocks(readme(), "bash")) {
            for (String line : block.lines().toList()) {
                String command = line.replaceAll("\\s+#.*$", "").strip();
                if (!command.startsWith("./janus")) continue;
                seen++;
                String[] words = command.split("\\s+");
                if (words.length == 1 || words[1].startsWith("-")) continue;
                ByteArrayOutputStream help = new ByteArrayOutputStream();
                PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
                assertEquals(0, Janus.run(new String[] {words[1], "--help"}, new PrintStream(help, true, StandardCharsets.UTF_8), quiet),
                        "README: " + command);
                for (String w : words) {
                    if (w.startsWith("--")) assertTrue(help.toString(StandardCharsets.UTF_8).contains(w), "README: " + command + ": " + w + " is not an option");
                }
            }
        }
        assertTrue(seen >= 3, "README shows the janus command line");
    }

    @Test
    void theTestCommandIsTheOneCiRuns() throws IOException {
        boolean given = blocks(readme(), "bash").stream().flatMap(String::lines)
                .anyMatch(l -> l.replaceAll("\\s+#.*$", "").strip().equals("mvn -B -ntp test"));
        assertTrue(given, "README gives the test command");
        assertTrue(Files.readString(ROOT.resolve(".ci").resolve("run")).contains("\nmvn -B -ntp test\n"), ".ci/run runs it");
    }
}
