package dev.janus.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A library must not choose its users' logging: the library modules depend on slf4j-api alone and
 * take slf4j-simple only for their own tests; the programs (examples with the CLI, benchmarks)
 * bring it.
 */
class DependencyScopeTest {
    private static final Pattern DEPENDENCY = Pattern.compile("<dependency>(.*?)</dependency>", Pattern.DOTALL);

    private static String scopeOfSimple(String module) throws IOException {
        String pom = Files.readString(Path.of("..", module, "pom.xml"));
        Matcher m = DEPENDENCY.matcher(pom);
        while (m.find()) {
            String d = m.group(1);
            if (!d.contains("<artifactId>slf4j-simple</artifactId>")) continue;
            Matcher s = Pattern.compile("<scope>(\\w+)</scope>").matcher(d);
            return s.find() ? s.group(1) : "compile";
        }
        return "none";
    }

    @Test
    void librariesUseSlf4jApiAndOnlyProgramsBindIt() throws IOException {
        for (String library : List.of("core", "eager", "graph", "layers", "export", "tensorboard")) {
            String scope = scopeOfSimple(library);
            assertTrue(scope.equals("test") || scope.equals("none"), library + " takes slf4j-simple at scope " + scope);
        }
        assertTrue(Files.readString(Path.of("..", "core", "pom.xml")).contains("<artifactId>slf4j-api</artifactId>"));
        assertEquals("compile", scopeOfSimple("examples"));
        assertEquals("compile", scopeOfSimple("benchmarks"));
    }
}
