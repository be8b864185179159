package io.memgrate.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.memgrate.client.aws.MemgrateEndpointStrategyFactory;
import io.memgrate.client.xmemcached.MemgrateElastiCacheClient;
import net.rubyeye.xmemcached.XMemcachedClient;
import net.spy.memcached.MemcachedClient;

/**
 * The Java snippets of docs/clients.md's "Java: use the adapter" section compile for Java 8 against the adapters and
 * the client libraries alone, as in an application that copies them: each {@code ```java} block's {@code import} lines
 * head a compilation unit and the rest is the body of a method.
 */
class ReadmeSnippetsTest {

    private static final Path README = Paths.get("../../docs/clients.md");
    private static final String SECTION = "### Java: use the adapter";

    @Test
    void theAdapterSnippetsCompileForJavaEight(@TempDir Path classes) throws Exception {
        List<String> snippets = snippets();
        assertThat(snippets).as("```java blocks in README's \"%s\" section", SECTION).hasSizeGreaterThanOrEqualTo(2);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac).as("a JDK's compiler (this test runs on a JRE)").isNotNull();
        for (int i = 0; i < snippets.size(); i++) {
            String source = compilationUnit("ReadmeSnippet" + (i + 1), snippets.get(i));
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            Path file = classes.resolve("ReadmeSnippet" + (i + 1) + ".java");
            Files.write(file, source.getBytes(StandardCharsets.UTF_8));
            boolean compiled;
            try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
                compiled = javac.getTask(null, files, diagnostics,
                        Arrays.asList("--release", "8", "-Xlint:-options", "-classpath", applicationClasspath(),
                                "-d", classes.toString()),
                        null, files.getJavaFileObjects(file.toFile())).call();
            }
            assertThat(compiled).as("README's java block %d compiles for Java 8:%n%s%n%s", i + 1, source,
                    diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                            .map(d -> "line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT))
                            .collect(Collectors.joining("\n")))
                    .isTrue();
        }
    }

    /** The {@code ```java} blocks between the section's heading and the next heading. */
    private static List<String> snippets() throws IOException {
        assertThat(README).as("docs/clients.md, from clients/java").isRegularFile();
        List<String> lines = Files.readAllLines(README, StandardCharsets.UTF_8);
        int start = lines.indexOf(SECTION);
        assertThat(start).as("README has the section \"%s\"", SECTION).isNotNegative();
        List<String> snippets = new ArrayList<>();
        StringBuilder block = null;
        for (String line : lines.subList(start + 1, lines.size())) {
            if (block == null && line.startsWith("#")) {
                break;
            }
            if (block == null && line.equals("```java")) {
                block = new StringBuilder();
            } else if (block != null && line.equals("```")) {
                snippets.add(block.toString());
                block = null;
            } else if (block != null) {
                block.append(line).append('\n');
            }
        }
        return snippets;
    }

    private static String compilationUnit(String className, String snippet) {
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String line : snippet.split("\n")) {
            (line.startsWith("import ") ? imports : body).append(line).append('\n');
        }
        return imports + "class " + className + " {\n    void snippet() throws Exception {\n" + body + "    }\n}\n";
    }

    /** The adapters' classes and the two client libraries: what an application that uses an adapter has. */
    private static String applicationClasspath() throws URISyntaxException {
        List<String> entries = new ArrayList<>();
        for (Class<?> type : new Class<?>[] { MemgrateEndpointStrategyFactory.class, MemgrateElastiCacheClient.class,
                MemcachedClient.class, XMemcachedClient.class }) {
            String entry = new File(type.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
            if (!entries.contains(entry)) {
                entries.add(entry);
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
