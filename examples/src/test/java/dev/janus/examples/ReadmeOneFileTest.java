package dev.janus.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every README code block compiles as written in ONE user file that imports every Janus package
 * with a wildcard (issue 13): no two classes a user meets share a name, and each snippet uses the
 * same types as the others. A class block becomes a member class of that file; a block of
 * statements becomes a method whose parameters are the variables it uses but does not declare,
 * typed as the source file it comes from (ReadmeTest keeps each block equal to a tested region)
 * declares them. Spark's two blocks are the exception: Spark is only on the spark module's class
 * path (provided scope, so the examples never depend on it); ReadmeSparkTest compiles those.
 */
class ReadmeOneFileTest {
    private static final List<String> MODULES = List.of("core", "graph", "eager", "layers", "export", "serving", "tensorboard", "examples");
    private static final Pattern CLASS_BLOCK = Pattern.compile("^(?:\\s*(?:/\\*\\*.*?\\*/|//[^\\n]*))*\\s*(?:public\\s+|static\\s+|final\\s+)*class\\s", Pattern.DOTALL);
    private static final Pattern MISSING_VARIABLE = Pattern.compile("symbol:\\s+variable (\\w+)");
    private static final String TYPE = "((?:(?:[a-z]\\w*\\.)*[A-Z][\\w.]*(?:<[\\w.<>?, \\[\\]]*>)?|int|long|double|float|boolean|byte)(?:\\[\\])*)";

    /** Every package with main classes in the modules on the examples' class path. */
    private static Set<String> packages() throws IOException {
        Set<String> out = new TreeSet<>();
        Pattern pkg = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
        for (String m : MODULES) {
            try (Stream<Path> files = Files.walk(ReadmeTest.ROOT.resolve(m).resolve("src/main/java"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String text = Files.readString(f);
                    Matcher mm = pkg.matcher(text);
                    if (mm.find() && text.contains("\npublic ")) out.add(mm.group(1));
                }
            }
        }
        return out;
    }

    /** Whether a static import's class is a main (public API) class of one of the modules, not a test helper. */
    private static boolean isMain(String staticImport) {
        String member = staticImport.substring("import static ".length(), staticImport.length() - 1);
        String cls = member.substring(0, member.lastIndexOf('.')).replace('.', '/') + ".java";
        for (String m : MODULES) if (Files.exists(ReadmeTest.ROOT.resolve(m).resolve("src/main/java").resolve(cls))) return true;
        return false;
    }

    /**
     * The type the source file declares {@code name} with (a local, a field or a parameter): the
     * last declaration before {@code at} (where the region starts), else the first after it.
     */
    static String declaredType(String source, String name, int at) {
        String best = null;
        int bestAt = -1;
        Matcher direct = Pattern.compile("[\\s(,]" + TYPE + "\\s+" + name + "\\s*[=;,):]").matcher(source);
        while (direct.find()) {
            if (better(direct.start(), bestAt, at)) {
                best = direct.group(1);
                bestAt = direct.start();
            }
        }
        // The second declarator of "Type a = ..., name = ...": the type opens the statement.
        Matcher later = Pattern.compile(",\\s*" + name + "\\s*=").matcher(source);
        while (later.find()) {
            int start = Math.max(source.lastIndexOf(';', later.start()), Math.max(source.lastIndexOf('{', later.start()), source.lastIndexOf('}', later.start())));
            Matcher first = Pattern.compile("^\\s*(?:final\\s+)?" + TYPE + "\\s+\\w+\\s*=").matcher(source.substring(start + 1, later.start()));
            if (first.find() && better(later.start(), bestAt, at)) {
                best = first.group(1);
                bestAt = later.start();
            }
        }
        return best;
    }

    /** Whether a declaration at {@code candidate} is nearer before {@code at} than one at {@code current} (-1: none yet). */
    private static boolean better(int candidate, int current, int at) {
        if (current < 0) return true;
        if (candidate < at) return current > at || candidate > current;
        return current > at && candidate < current;
    }

    private record Block(String name, String text, boolean isClass) {
    }

    @Test
    void everyReadmeBlockCompilesInOneFile(@TempDir Path dir) throws IOException {
        Map<String, Path> files = new LinkedHashMap<>();
        Map<String, String> regions = ReadmeTest.regions(files);
        List<Block> blocks = new ArrayList<>();
        Set<String> staticImports = new LinkedHashSet<>();
        for (String text : ReadmeTest.blocks(ReadmeTest.readme(), "java")) {
            String name = null;
            for (Map.Entry<String, String> r : regions.entrySet()) if (r.getValue().equals(text)) name = r.getKey();
            assertNotNull(name, "a README block that is no region (ReadmeTest says which)");
            if (files.get(name).startsWith(ReadmeTest.ROOT.resolve("spark"))) continue;
            blocks.add(new Block(name, text, CLASS_BLOCK.matcher(text).find()));
            for (String line : Files.readAllLines(files.get(name))) {
                if (line.startsWith("import static dev.janus.") && isMain(line)) staticImports.add(line);
            }
        }
        assertTrue(blocks.size() >= 20, "the README's java blocks were found: " + blocks.size());
        Map<String, Map<String, String>> params = new LinkedHashMap<>();
        for (Block b : blocks) params.put(b.name, new LinkedHashMap<>());
        String errors = "";
        for (int round = 0; round < 6; round++) {
            String program = program(blocks, params, staticImports);
            List<Diagnostic<? extends JavaFileObject>> found = compile(dir, program);
            if (found.isEmpty()) return;
            StringBuilder sb = new StringBuilder();
            boolean added = false;
            List<String> lines = program.lines().toList();
            for (Diagnostic<? extends JavaFileObject> d : found) {
                String block = blockAt(lines, (int) d.getLineNumber());
                Matcher m = MISSING_VARIABLE.matcher(d.getMessage(null));
                if (block != null && m.find() && !params.get(block).containsKey(m.group(1))) {
                    String source = Files.readString(files.get(block));
                    String type = declaredType(source, m.group(1), source.indexOf("// README: " + block + "\n"));
                    if (type != null) {
                        params.get(block).put(m.group(1), type);
                        added = true;
                        continue;
                    }
                }
                sb.append("block ").append(block).append(", line ").append(d.getLineNumber()).append(" (")
                        .append(lines.get((int) d.getLineNumber() - 1).strip()).append("): ").append(d.getMessage(null)).append('\n');
            }
            errors = sb.toString();
            if (!added) break;
        }
        fail("the README's blocks do not compile in one file:\n" + errors + "\nthe file:\n" + program(blocks, params, staticImports));
    }

    /** The block whose method or class holds this line of the generated file. */
    private static String blockAt(List<String> lines, int line) {
        for (int i = Math.min(line, lines.size()) - 1; i >= 0; i--) {
            String l = lines.get(i);
            if (l.startsWith("    // block ")) return l.substring("    // block ".length()).strip();
        }
        return null;
    }

    private static String program(List<Block> blocks, Map<String, Map<String, String>> params, Set<String> staticImports) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String p : packages()) sb.append("import ").append(p).append(".*;\n");
        for (String p : List.of("java.io", "java.net", "java.nio.file", "java.util", "java.util.function")) sb.append("import ").append(p).append(".*;\n");
        for (String s : staticImports) sb.append(s).append('\n');
        sb.append("\n@SuppressWarnings(\"unused\")\nclass ReadmeAll {\n");
        for (Block b : blocks) {
            sb.append("    // block ").append(b.name).append('\n');
            String body = b.text.indent(b.isClass ? 4 : 8);
            if (b.isClass) {
                sb.append(body);
            } else {
                List<String> ps = new ArrayList<>();
                params.get(b.name).forEach((n, t) -> ps.add(t + " " + n));
                sb.append("    void ").append(b.name.replace('-', '_')).append("(").append(String.join(", ", ps)).append(") throws Exception {\n")
                        .append(body).append("    }\n");
            }
            sb.append('\n');
        }
        return sb.append("}\n").toString();
    }

    private static List<Diagnostic<? extends JavaFileObject>> compile(Path dir, String program) throws IOException {
        Path source = dir.resolve("ReadmeAll.java");
        Files.writeString(source, program);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "no Java compiler in this JDK");
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, null, null)) {
            javac.getTask(null, fm, diagnostics, List.of("--release", "17", "-proc:none", "-classpath", System.getProperty("java.class.path"),
                    "-d", dir.toString()), null, fm.getJavaFileObjects(source)).call();
        }
        List<Diagnostic<? extends JavaFileObject>> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) if (d.getKind() == Diagnostic.Kind.ERROR) errors.add(d);
        return errors;
    }
}
