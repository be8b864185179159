package io.memgrate.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.memgrate.metrics.Metric;
import io.memgrate.support.ReferenceDocs;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;

/**
 * The reference pages name every setting and metric the service has, and only those: every {@code memgrate.*}
 * property of the {@code @ConfigMapping} interfaces is in the configuration reference with its default, and every
 * {@code memgrate_*} meter the service registers is in the metrics table (both ways). No Quarkus boot: the settings are
 * walked by reflection, named as SmallRye Config names them, and the metrics are the catalogue's ({@link Metric}).
 */
class DocsReferenceTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Path MAIN_SOURCES = ROOT.resolve("src/main/java");
    private static final Pattern CONFIG_MAPPING = Pattern.compile("@ConfigMapping\\(\\s*prefix\\s*=\\s*\"memgrate[.\"]");
    private static final Pattern CODE_SPAN = Pattern.compile("`([^`\n]+)`");
    private static final Pattern PROPERTY_IN_TEXT = Pattern.compile("^(memgrate\\.[a-z0-9.-]*[a-z0-9])(\\.\\*|=\\S*)?$");
    private static final Pattern METRIC_IN_TEXT = Pattern.compile("(?<![A-Za-z0-9_.])memgrate_[a-z0-9_]+\\*?");
    private static final List<String> TIMER_SERIES = List.of("_count", "_sum", "_max", "_bucket");

    /** Every memgrate.* property to its default ({@code null} when it has none). */
    static Map<String, String> properties;

    @BeforeAll
    static void walkTheSettings() throws IOException {
        assertTrue(Files.exists(ROOT.resolve("pom.xml")), "run from the repository root, not " + ROOT);
        properties = new TreeMap<>();
        for (Class<?> mapping : configMappings()) {
            walk(mapping, mapping.getAnnotation(ConfigMapping.class).prefix(), properties);
        }
        assertThat(properties).as("memgrate.* properties found by reflection").containsKey("memgrate.listen.port");
    }

    @Test
    void everySettingIsInTheConfigurationReferenceWithItsDefault() {
        Map<String, String> reference = ReferenceDocs.configurationTable(ROOT);
        List<String> problems = new ArrayList<>();
        properties.forEach((property, defaultValue) -> {
            String cell = reference.get(property);
            if (cell == null) {
                problems.add(property + " is missing from " + ReferenceDocs.CONFIGURATION);
            } else if (defaultValue != null) {
                Matcher first = CODE_SPAN.matcher(cell);
                String documented = first.find() ? first.group(1).replace("\\|", "|") : null;
                if (!defaultValue.equals(documented)) {
                    problems.add(property + ": the reference gives the default " + cell + ", the settings `"
                            + defaultValue + "` (@WithDefault)");
                }
            } else if (cell.startsWith("`")) {
                problems.add(property + " has no default, but the reference gives " + cell);
            }
        });
        assertThat(problems).as("settings against " + ReferenceDocs.CONFIGURATION).isEmpty();
    }

    @Test
    void everyPropertyTheDocsNameExists() throws IOException {
        Set<String> unknown = new TreeSet<>(ReferenceDocs.configurationTable(ROOT).keySet());
        unknown.removeAll(properties.keySet());
        for (Map.Entry<Path, String> page : pages().entrySet()) {
            for (String span : codeSpans(page.getValue())) {
                Matcher m = PROPERTY_IN_TEXT.matcher(span);
                if (!m.matches()) {
                    continue;
                }
                String name = m.group(1);
                boolean prefix = ".*".equals(m.group(2));
                boolean known = prefix ? properties.keySet().stream().anyMatch(p -> p.startsWith(name + "."))
                        : properties.containsKey(name);
                if (!known) {
                    unknown.add(span + " (" + ROOT.relativize(page.getKey()) + ")");
                }
            }
        }
        assertThat(unknown).as("properties the docs name that no @ConfigMapping has").isEmpty();
    }

    @Test
    void everyRegisteredMetricIsInTheMetricsTable() throws IOException {
        Set<String> missing = new TreeSet<>(registeredMeterNames().keySet());
        missing.removeAll(ReferenceDocs.metricsTable(ROOT).keySet());
        assertThat(missing).as("meters the service registers that " + ReferenceDocs.OPERATIONS + "'s metrics table lacks")
                .isEmpty();
    }

    @Test
    void everyMetricTheDocsNameIsRegistered() throws IOException {
        Map<String, String> registered = registeredMeterNames();
        Set<String> unknown = new TreeSet<>();
        ReferenceDocs.metricsTable(ROOT).keySet().stream().filter(name -> !registered.containsKey(name))
                .forEach(name -> unknown.add(name + " (metrics table)"));
        for (Map.Entry<Path, String> page : pages().entrySet()) {
            Matcher m = METRIC_IN_TEXT.matcher(page.getValue());
            while (m.find()) {
                if (!isRegistered(m.group(), registered)) {
                    unknown.add(m.group() + " (" + ROOT.relativize(page.getKey()) + ")");
                }
            }
        }
        assertThat(unknown).as("metrics the docs name that the service does not register").isEmpty();
    }

    private static boolean isRegistered(String name, Map<String, String> registered) {
        if (name.endsWith("*")) {
            String prefix = name.substring(0, name.length() - 1);
            return registered.keySet().stream().anyMatch(n -> n.startsWith(prefix));
        }
        return registered.containsKey(name) || TIMER_SERIES.stream().anyMatch(series -> name.endsWith(series)
                && "timer".equals(registered.get(name.substring(0, name.length() - series.length()))));
    }

    /** Prometheus name of every metric the service exports, to its kind: the one catalogue the code registers from. */
    static Map<String, String> registeredMeterNames() {
        Map<String, String> meters = new TreeMap<>();
        for (Metric metric : Metric.values()) {
            meters.put(metric.prometheusName(), metric.type().name().toLowerCase(Locale.ROOT));
        }
        return meters;
    }

    /** The {@code @ConfigMapping} interfaces with a {@code memgrate} prefix among the main sources. */
    private static List<Class<?>> configMappings() throws IOException {
        List<Class<?>> mappings = new ArrayList<>();
        for (Path source : javaFiles(MAIN_SOURCES)) {
            if (CONFIG_MAPPING.matcher(Files.readString(source)).find()) {
                String name = MAIN_SOURCES.relativize(source).toString().replace(".java", "").replace('/', '.');
                try {
                    mappings.add(Class.forName(name));
                } catch (ClassNotFoundException e) {
                    fail(name + " has @ConfigMapping but is not on the test classpath", e);
                }
            }
        }
        assertThat(mappings).as("@ConfigMapping interfaces in " + MAIN_SOURCES).isNotEmpty();
        return mappings;
    }

    /** Each property under {@code prefix}, named as SmallRye Config does: kebab-case, groups nested, @WithName. */
    private static void walk(Class<?> group, String prefix, Map<String, String> out) {
        for (Method method : group.getMethods()) {
            if (Modifier.isStatic(method.getModifiers()) || method.isDefault() || method.getParameterCount() > 0) {
                continue;
            }
            String name = method.isAnnotationPresent(WithParentName.class) ? prefix
                    : prefix + "." + (method.isAnnotationPresent(WithName.class) ? method.getAnnotation(WithName.class).value()
                            : kebab(method.getName()));
            Class<?> type = leafType(method.getGenericReturnType());
            if (type.isInterface() && !type.getName().startsWith("java.")) {
                walk(type, name, out);
            } else {
                WithDefault defaultValue = method.getAnnotation(WithDefault.class);
                out.put(name, defaultValue == null ? null : defaultValue.value());
            }
        }
    }

    private static Class<?> leafType(Type type) {
        if (type instanceof ParameterizedType p && p.getRawType() == Optional.class) {
            return leafType(p.getActualTypeArguments()[0]);
        }
        return type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
    }

    /** SmallRye Config's default naming: {@code refreshInterval} is {@code refresh-interval}. */
    static String kebab(String methodName) {
        return methodName.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    /** README and every page of docs/ (templates aside), by path. */
    private static Map<Path, String> pages() throws IOException {
        Map<Path, String> pages = new TreeMap<>();
        pages.put(ROOT.resolve("README.md"), Files.readString(ROOT.resolve("README.md")));
        try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
            for (Path page : files.filter(p -> p.toString().endsWith(".md")).toList()) {
                pages.put(page, Files.readString(page));
            }
        }
        return pages;
    }

    /** The inline code spans of a markdown text, fenced code blocks left out. */
    private static List<String> codeSpans(String markdown) {
        List<String> spans = new ArrayList<>();
        boolean fenced = false;
        for (String line : markdown.split("\n")) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
            } else if (!fenced) {
                Matcher m = CODE_SPAN.matcher(line);
                while (m.find()) {
                    spans.add(m.group(1));
                }
            }
        }
        return spans;
    }

    private static List<Path> javaFiles(Path under) throws IOException {
        try (Stream<Path> files = Files.walk(under)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }
}
