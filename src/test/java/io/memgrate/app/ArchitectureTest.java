package io.memgrate.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;

import org.junit.jupiter.api.Test;

import io.quarkus.arc.profile.IfBuildProfile;

/**
 * The import graph of the compiled classes, read by {@code jdeps} as docs/architecture.md, "Architecture" shows: every package
 * sits in a layer and depends only on lower layers, so the graph has no cycles and tells how Memgrate is built.
 */
class ArchitectureTest {

    /** Bottom first. A package may use packages of lower layers only. */
    static final List<Set<String>> LAYERS = List.of(
            Set.of("cluster", "transport"),
            Set.of("protocol", "plan", "movement"),
            Set.of("settings"),
            Set.of("merge", "metrics", "nodestats"),
            Set.of("upstream", "control"),
            Set.of("discovery", "server", "emulator"),
            Set.of("status"),
            Set.of("autopilot"),
            Set.of("health"),
            Set.of("app"));

    private static final Pattern EDGE = Pattern.compile("^\\s+io\\.memgrate\\.(\\w+)\\s+->\\s+io\\.memgrate\\.(\\w+)\\s", Pattern.MULTILINE);
    private static final Pattern VERTX_INTERNAL_EDGE = Pattern.compile(
            "^\\s+io\\.memgrate\\.(\\w+)\\s+->\\s+(io\\.vertx\\.core\\.(?:impl|net\\.impl|spi)[\\w.]*)\\s", Pattern.MULTILINE);

    @Test
    void everyPackageUsesOnlyPackagesOfLowerLayers() throws URISyntaxException {
        Map<String, Set<String>> graph = importGraph();
        Set<String> violations = new TreeSet<>();
        graph.forEach((from, targets) -> targets.forEach(to -> {
            if (layer(from) <= layer(to)) {
                violations.add(from + " -> " + to);
            }
        }));

        assertThat(graph.keySet()).as("jdeps read the classes").contains("app", "server", "upstream");
        assertThat(violations).as("dependencies that do not go down a layer (layers: %s)", LAYERS).isEmpty();
    }

    @Test
    void everyPackageHasALayer() throws URISyntaxException {
        Set<String> packages = new TreeSet<>();
        importGraph().forEach((from, targets) -> {
            packages.add(from);
            packages.addAll(targets);
        });

        assertThat(packages).allSatisfy(name -> assertThat(layer(name)).as("layer of io.memgrate.%s", name).isNotNegative());
    }

    /**
     * The dev playground is not the product: no package uses it (the app finds it only as an
     * {@code upstream.StandInClusters} bean), and each of its beans exists in dev mode and tests only, so a production
     * build has none of them.
     */
    @Test
    void onlyDevModeAndTestsHaveThePlayground() throws Exception {
        Set<String> users = new TreeSet<>();
        importGraph().forEach((from, targets) -> {
            if (targets.contains("emulator")) {
                users.add(from);
            }
        });
        assertThat(users).as("packages that use io.memgrate.emulator").isEmpty();

        Path classes = Path.of(Memgrate.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> beans = new ArrayList<>();
        try (Stream<Path> files = Files.list(classes.resolve("io/memgrate/emulator"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                Class<?> type = Class.forName("io.memgrate.emulator." + file.getFileName().toString().replace(".class", ""));
                if (type.isAnnotationPresent(ApplicationScoped.class) || type.isAnnotationPresent(jakarta.ws.rs.Path.class)) {
                    beans.add(type.getSimpleName());
                    IfBuildProfile profile = type.getAnnotation(IfBuildProfile.class);
                    assertThat(profile).as("%s: a bean of dev mode and tests only", type.getSimpleName()).isNotNull();
                    assertThat(profile.anyOf()).as("%s: its build profiles", type.getSimpleName())
                            .containsExactlyInAnyOrder("dev", "test");
                }
            }
        }
        assertThat(beans).as("the playground's beans").contains("DevClusters", "DevClustersResource", "DevTraffic");
    }

    /**
     * Vert.x's internals change between versions: only {@code transport} touches them, so an upgrade changes that
     * package alone.
     */
    @Test
    void onlyTransportUsesVertxInternals() throws URISyntaxException {
        Map<String, Set<String>> users = dependencies("io\\.vertx\\.core\\.(impl|net\\.impl|spi)(\\..*)?", VERTX_INTERNAL_EDGE);

        assertThat(users).as("packages using Vert.x internals, and which").containsOnlyKeys("transport");
    }

    private static int layer(String name) {
        for (int i = 0; i < LAYERS.size(); i++) {
            if (LAYERS.get(i).contains(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Package to the other io.memgrate packages it uses, from {@code jdeps -verbose:package} on the main classes. */
    static Map<String, Set<String>> importGraph() throws URISyntaxException {
        return dependencies("io\\.memgrate\\..*", EDGE);
    }

    /**
     * Each io.memgrate package (its short name) to the packages matching {@code targets} that it uses, as jdeps prints
     * them and {@code edge} reads them (group 1 the user, group 2 what it uses).
     */
    private static Map<String, Set<String>> dependencies(String targets, Pattern edgeLine) throws URISyntaxException {
        Path classes = Path.of(Memgrate.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        StringWriter output = new StringWriter();
        PrintWriter writer = new PrintWriter(output);
        int exit = ToolProvider.findFirst("jdeps").orElseThrow()
                .run(writer, writer, "-verbose:package", "-filter:none", "-e", targets, classes.toString());
        writer.flush();
        assertThat(exit).as("jdeps: %s", output).isZero();
        Map<String, Set<String>> graph = new TreeMap<>();
        Matcher edge = edgeLine.matcher(output.toString());
        while (edge.find()) {
            graph.computeIfAbsent(edge.group(1), from -> new TreeSet<>());
            if (!edge.group(1).equals(edge.group(2))) {
                graph.get(edge.group(1)).add(edge.group(2));
            }
        }
        return graph;
    }
}
