package io.memgrate.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.memgrate.emulator.MemcachedDaemon;
import io.memgrate.support.FreePorts;
import io.memgrate.support.MemcachedProcess;
import io.memgrate.support.TestCertificates;
import io.memgrate.support.TestSettings;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The settings refused at start-up, each with the line that names it, read through the real mapping. */
class SettingsChecksTest {

    @TempDir
    Path dir;

    @Test
    void defaultsPass() {
        assertThat(SettingsChecks.problems(TestSettings.read())).isEmpty();
    }

    @Test
    void negativeVersionOffsetIsRefused() {
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.version-offset", "-1"))).containsExactly(
                "memgrate.version-offset=-1 is refused: use 0-2147483647 (served versions never go down, and clients"
                        + " read them as signed 32-bit integers)");
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.version-offset", "2147483648"))).hasSize(1);
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.version-offset", "2147483647"))).isEmpty();
    }

    @Test
    void devNodeMemoryBelowWhatMemcachedRunsWithIsRefused() {
        for (String memoryMb : new String[] {"0", "1", "-1"}) {
            assertThat(SettingsChecks.problems(TestSettings.read("memgrate.dev-clusters.node-memory-mb", memoryMb)))
                    .containsExactly("memgrate.dev-clusters.node-memory-mb=" + memoryMb + " is refused: it must be at least 2,"
                            + " the least memcached runs with (default 64)");
        }
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.dev-clusters.node-memory-mb", "2"))).isEmpty();
    }

    @Test
    void devTrafficOfNoKeysOrNoGetsIsRefused() {
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.dev-clusters.traffic.keys", "0",
                "memgrate.dev-clusters.traffic.gets-per-second", "0"))).containsExactly(
                        "memgrate.dev-clusters.traffic.keys=0 is refused: it must be at least 1 (default 5000)",
                        "memgrate.dev-clusters.traffic.gets-per-second=0 is refused: it must be at least 1 (default 1000)");
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.dev-clusters.traffic.keys", "1",
                "memgrate.dev-clusters.traffic.gets-per-second", "1"))).isEmpty();
    }

    /** The dev nodes' own start-up answers at the least memory allowed; one MiB less, memcached exits at once. */
    @Test
    void theLeastDevNodeMemoryIsTheLeastARealMemcachedRunsWith() throws Exception {
        Path memcached = MemcachedDaemon.findOnPath().orElseThrow();
        try (MemcachedDaemon node = MemcachedDaemon.start(memcached, FreePorts.next(), SettingsChecks.MIN_DEV_NODE_MEMORY_MB)) {
            assertThat(node.port()).isPositive();
        }
        Process tooSmall = new ProcessBuilder(MemcachedProcess.command(FreePorts.next(), 1, 64,
                SettingsChecks.MIN_DEV_NODE_MEMORY_MB - 1)).redirectErrorStream(true).start();
        try {
            assertThat(tooSmall.waitFor(10, TimeUnit.SECONDS)).as("memcached -m %d exits", SettingsChecks.MIN_DEV_NODE_MEMORY_MB - 1)
                    .isTrue();
            assertThat(tooSmall.exitValue()).as("EX_USAGE").isEqualTo(64);
            assertThat(new String(tooSmall.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .contains("Cannot set item size limit higher than 1/2 of memory max");
        } finally {
            tooSmall.destroyForcibly();
        }
    }

    @Test
    void nodeStatisticsAreOffAtZeroAndTheWarmMarginIsADifferenceOfRatios() {
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.nodes.stats-interval", "0",
                "memgrate.migration.warm-margin", "0"))).isEmpty();
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.nodes.stats-interval", "-30s",
                "memgrate.migration.warm-margin", "1.5"))).containsExactly(
                "memgrate.nodes.stats-interval=PT-30S is refused: use 0s (node statistics off) or at least 1ms",
                "memgrate.migration.warm-margin=1.5 is refused: it is a difference of hit ratios, from 0 to 1 (default 0.05)");
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.migration.warm-margin", "-0.01"))).hasSize(1);
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.migration.warm-margin", "NaN"))).hasSize(1);
    }

    @Test
    void clientHashingIsOneOfTheMovementSchemes() {
        for (String label : List.of("array-mod-native", "ketama-aws-java", "ketama-xmemcached", "ketama-libmemcached")) {
            assertThat(SettingsChecks.problems(TestSettings.read("memgrate.migration.client-hashing", label))).isEmpty();
        }
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.migration.client-hashing", "ketama"))).containsExactly(
                "memgrate.migration.client-hashing=ketama is refused: use one of array-mod-native, ketama-aws-java,"
                        + " ketama-xmemcached, ketama-libmemcached (the scheme your clients hash keys with)");
    }

    @Test
    void theAutopilotNeedsAPlanFileInAWritableFolderAndTheClientHashing() throws Exception {
        Path plan = Files.writeString(dir.resolve("plan.yaml"), "revision: 1\n");
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.migration.autopilot.enabled", "true",
                "memgrate.migration.plan-file", plan.toString(),
                "memgrate.migration.client-hashing", "ketama-aws-java",
                "memgrate.migration.autopilot.window", "22:00-02:00"))).isEmpty();
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.migration.autopilot.enabled", "true"))).containsExactly(
                "memgrate.migration.autopilot.enabled=true is refused: set memgrate.migration.client-hashing to the scheme"
                        + " your clients use (array-mod-native, ketama-aws-java, ketama-xmemcached, ketama-libmemcached),"
                        + " so it knows the gentlest step",
                "memgrate.migration.autopilot.enabled=true is refused: set memgrate.migration.plan-file, the plan it writes"
                        + " each step into");
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.migration.autopilot.enabled", "true",
                "memgrate.migration.plan-file", plan.toString(),
                "memgrate.migration.client-hashing", "ketama-aws-java",
                "memgrate.migration.autopilot.min-dwell", "59s"))).containsExactly(
                "memgrate.migration.autopilot.min-dwell=PT59S is refused: it must be at least two"
                        + " memgrate.nodes.stats-interval (PT1M), one for the node admitted last to be served a whole"
                        + " interval and one to measure it");
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.migration.autopilot.enabled", "true",
                "memgrate.migration.plan-file", plan.toString(),
                "memgrate.migration.client-hashing", "ketama-aws-java",
                "memgrate.nodes.stats-interval", "0"))).containsExactly(
                "memgrate.migration.autopilot.enabled=true is refused: memgrate.nodes.stats-interval is 0, so no step ever"
                        + " looks safe; set it (default 30s)");
        // root may write anywhere, so the test names a folder that is not there
        Path missing = dir.resolve("missing");
        Path lockedPlan = missing.resolve("plan.yaml");
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.migration.autopilot.enabled", "true",
                "memgrate.migration.plan-file", lockedPlan.toString(),
                "memgrate.migration.client-hashing", "ketama-aws-java"))).containsExactly(
                "memgrate.migration.plan-file=" + lockedPlan + " is refused with memgrate.migration.autopilot.enabled=true:"
                        + " its folder " + missing + " is not a writable folder, and the autopilot writes each plan to a file"
                        + " there, then renames it over the plan");
        // off: nothing of it is needed
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.migration.plan-file", lockedPlan.toString()))).isEmpty();
    }

    @Test
    void onKubernetesTheAutopilotWritesTheConfigMapSoAReadOnlyPlanFolderIsTakenAndMalformedNamesAreRefused() {
        // a ConfigMap volume is read-only: the autopilot writes the ConfigMap through the API instead
        Path mounted = dir.resolve("missing").resolve("plan.yaml");
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.migration.autopilot.enabled", "true",
                "memgrate.migration.plan-file", mounted.toString(),
                "memgrate.migration.client-hashing", "ketama-aws-java",
                "memgrate.migration.autopilot.configmap", "memgrate-plan"))).isEmpty();
        assertThat(SettingsChecks.problems(TestSettings.read(
                "memgrate.migration.autopilot.configmap", "Memgrate_Plan",
                "memgrate.migration.autopilot.lease", "memgrate autopilot",
                "memgrate.migration.autopilot.lease-duration", "1500ms",
                "memgrate.migration.autopilot.pod-selector", "app.kubernetes.io/name"))).containsExactly(
                "memgrate.migration.autopilot.configmap=Memgrate_Plan is refused: name the plan's ConfigMap as Kubernetes"
                        + " names it (lower-case letters, digits, '-' and '.')",
                "memgrate.migration.autopilot.lease=memgrate autopilot is refused: name the Lease as Kubernetes names it"
                        + " (lower-case letters, digits, '-' and '.')",
                "memgrate.migration.autopilot.pod-selector=app.kubernetes.io/name is refused: give the labels of"
                        + " Memgrate's pods as key=value[,key=value...], e.g. app.kubernetes.io/name=memgrate",
                "memgrate.migration.autopilot.lease-duration=PT1.5S is refused: a Lease holds for whole seconds; use at"
                        + " least 1s");
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.migration.autopilot.pod-selector",
                "app.kubernetes.io/name=memgrate,app.kubernetes.io/part-of=cache"))).isEmpty();
    }

    @Test
    void aMalformedAutopilotWindowIsRefused() {
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.migration.autopilot.window", "2-6"))).containsExactly(
                "memgrate.migration.autopilot.window=2-6 is refused: write it as HH:MM-HH:MM in UTC, e.g. 02:00-06:00");
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.migration.autopilot.window", "02:00-24:00")))
                .containsExactly("memgrate.migration.autopilot.window=02:00-24:00 is refused: hours are 00-23 and minutes"
                        + " 00-59, e.g. 02:00-06:00");
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.migration.autopilot.window", "02:00-02:00")))
                .containsExactly("memgrate.migration.autopilot.window=02:00-02:00 is refused: its start and end are the same;"
                        + " leave it unset for any time of day");
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.migration.autopilot.min-dwell", "0s")))
                .containsExactly("memgrate.migration.autopilot.min-dwell=PT0S is refused: it must be at least 1ms");
    }

    @Test
    void nonsenseNumbersAreRefusedOneLineEach() {
        assertThat(SettingsChecks.problems(TestSettings.read(
                "memgrate.listen.port", "65536",
                "memgrate.refresh-interval", "0s",
                "memgrate.upstream.timeout", "-2s",
                "memgrate.aws.resolve-interval", "0",
                "memgrate.client.idle-timeout", "0ms",
                "memgrate.shutdown-drain-timeout", "-1s",
                "memgrate.upstream.max-reply-bytes", "0",
                "memgrate.client.max-line-bytes", "28",
                "memgrate.client.max-connections", "-1",
                "memgrate.nodes.max-stats-reply-bytes", "1023"))).containsExactly(
                "memgrate.listen.port=65536 is refused: use 1-65535, or 0 for a free port",
                "memgrate.refresh-interval=PT0S is refused: it must be at least 1ms",
                "memgrate.upstream.timeout=PT-2S is refused: it must be at least 1ms",
                "memgrate.aws.resolve-interval=PT0S is refused: it must be at least 1ms",
                "memgrate.client.idle-timeout=PT0S is refused: it must be at least 1ms",
                "memgrate.nodes.max-stats-reply-bytes=1023 is refused: it must be at least 1024 (a node's stats reply"
                        + " is 3-4 KB; default 16384)",
                "memgrate.shutdown-drain-timeout=PT-1S is refused: it must be 0 (do not wait) or more",
                "memgrate.upstream.max-reply-bytes=0 is refused: it must be at least 1 (default 1048576)",
                "memgrate.client.max-line-bytes=28 is refused: it must be at least 29, the length of get"
                        + " AmazonElastiCache:cluster (default 2048)",
                "memgrate.client.max-connections=-1 is refused: it must be at least 1 (default 10000)");
    }

    @Test
    void smallestSensibleNumbersPass() {
        assertThat(SettingsChecks.problems(TestSettings.read(
                "memgrate.listen.port", "0",
                "memgrate.refresh-interval", "1ms",
                "memgrate.upstream.timeout", "1ms",
                "memgrate.shutdown-drain-timeout", "0s",
                "memgrate.upstream.max-reply-bytes", "1",
                "memgrate.client.max-line-bytes", "29",
                "memgrate.client.max-connections", "1",
                "memgrate.nodes.max-stats-reply-bytes", "1024"))).isEmpty();
    }

    @Test
    void listenerTlsNeedsACertificateAndAKey() {
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.tls.enabled", "true"))).containsExactly(
                "memgrate.tls.certificate-file is required when memgrate.tls.enabled is true: the path of a PEM"
                        + " certificate file",
                "memgrate.tls.key-file is required when memgrate.tls.enabled is true: the path of a PEM private key"
                        + " file");
    }

    @Test
    void listenerTlsFilesAreCheckedWhenEnabled() throws Exception {
        TestCertificates.Issued ca = TestCertificates.ca(dir);
        TestCertificates.Issued server = TestCertificates.localhost(ca, dir, "server");
        String certificate = server.certificateFile().toString();
        String key = server.keyFile().toString();
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.tls.enabled", "true",
                "memgrate.tls.certificate-file", certificate, "memgrate.tls.key-file", key))).isEmpty();
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.tls.enabled", "true",
                "memgrate.tls.certificate-file", key, "memgrate.tls.key-file", certificate))).containsExactly(
                "memgrate.tls.certificate-file=" + key + " is refused: not a PEM certificate (no -----BEGIN"
                        + " CERTIFICATE----- line)",
                "memgrate.tls.key-file=" + certificate + " is refused: not a PEM private key (no -----BEGIN PRIVATE"
                        + " KEY----- line)");
    }

    @Test
    void upstreamCaFileMustBeAReadablePemCertificate() throws Exception {
        Path missing = dir.resolve("missing.pem");
        assertThat(caFileProblems(missing)).containsExactly(
                "memgrate.upstream.tls.ca-file=" + missing + " is refused: no such file");
        assertThat(caFileProblems(dir)).containsExactly(
                "memgrate.upstream.tls.ca-file=" + dir + " is refused: not a readable file");
        Path text = Files.writeString(dir.resolve("notes.txt"), "not a certificate\n");
        assertThat(caFileProblems(text)).containsExactly("memgrate.upstream.tls.ca-file=" + text
                + " is refused: not a PEM certificate (no -----BEGIN CERTIFICATE----- line)");
        Path garbled = Files.writeString(dir.resolve("garbled.pem"),
                "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
        assertThat(caFileProblems(garbled)).singleElement().asString()
                .startsWith("memgrate.upstream.tls.ca-file=" + garbled + " is refused: its PEM certificate does not parse (");
        assertThat(caFileProblems(TestCertificates.ca(dir).certificateFile())).isEmpty();
    }

    @Test
    void upstreamCaFileIsNotReadWhileUpstreamTlsIsOff() {
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.upstream.tls.ca-file", dir.resolve("missing.pem").toString())))
                .isEmpty();
    }

    private List<String> caFileProblems(Path caFile) {
        return SettingsChecks.problems(TestSettings.read("memgrate.upstream.tls.enabled", "true",
                "memgrate.upstream.tls.ca-file", caFile.toString()));
    }

    @Test
    void reloadPeriodsAreZeroOrAtLeastOneMilli() {
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.tls.reload-period", "0s",
                "memgrate.upstream.tls.reload-period", "1ms"))).isEmpty();
        assertThat(SettingsChecks.problems(TestSettings.read("memgrate.tls.reload-period", "-1s",
                "memgrate.upstream.tls.reload-period", "PT0.0001S"))).containsExactly(
                "memgrate.upstream.tls.reload-period=PT0.0001S is refused: use 0s (read the files at start-up only) or at"
                        + " least 1ms",
                "memgrate.tls.reload-period=PT-1S is refused: use 0s (read the files at start-up only) or at least 1ms");
    }

    @Test
    void registryPropertiesMemgrateTakesPassWhileTheirSideIsOn() {
        MemgrateSettings on = TestSettings.read("memgrate.tls.enabled", "true", "memgrate.upstream.tls.enabled", "true",
                "memgrate.tls.certificate-file", listenerFiles().certificateFile().toString(),
                "memgrate.tls.key-file", listenerFiles().keyFile().toString());
        assertThat(SettingsChecks.problems(on, Set.of("quarkus.tls.memgrate-listener.protocols",
                "quarkus.tls.memgrate-listener.cipher-suites", "quarkus.tls.memgrate-listener.handshake-timeout",
                "quarkus.tls.memgrate-upstream.protocols", "quarkus.tls.memgrate-upstream.cipher-suites[0]",
                "quarkus.tls.memgrate-upstream.certificate-revocation-list"))).isEmpty();
    }

    @Test
    void registryPropertiesMemgrateSetsOrDoesNotUseAreRefusedOneLineEach() {
        MemgrateSettings on = TestSettings.read("memgrate.tls.enabled", "true", "memgrate.upstream.tls.enabled", "true",
                "memgrate.tls.certificate-file", listenerFiles().certificateFile().toString(),
                "memgrate.tls.key-file", listenerFiles().keyFile().toString());
        assertThat(SettingsChecks.problems(on, Set.of(
                "quarkus.tls.memgrate-listener.key-store.p12.path",
                "quarkus.tls.memgrate-listener.reload-period",
                "quarkus.tls.memgrate-listener.trust-store.pem.certs",
                "quarkus.tls.memgrate-upstream.trust-store.pem.certs",
                "quarkus.tls.memgrate-upstream.reload-period",
                "quarkus.tls.memgrate-upstream.trust-all",
                "quarkus.tls.memgrate-upstream.hostname-verification-algorithm",
                "quarkus.tls.memgrate-upstream.alpn"))).containsExactly(
                "quarkus.tls.memgrate-listener.key-store.p12.path is refused: set the listener's certificate with"
                        + " memgrate.tls.certificate-file and memgrate.tls.key-file (PEM) instead",
                "quarkus.tls.memgrate-listener.reload-period is refused: set memgrate.tls.reload-period instead (default 1m)",
                "quarkus.tls.memgrate-listener.trust-store.pem.certs is refused: Memgrate takes only protocols,"
                        + " cipher-suites, handshake-timeout from quarkus.tls.memgrate-listener.* (it does not ask clients"
                        + " for certificates); remove it",
                "quarkus.tls.memgrate-upstream.alpn is refused: Memgrate takes only protocols, cipher-suites,"
                        + " handshake-timeout, certificate-revocation-list from quarkus.tls.memgrate-upstream.*; remove it",
                "quarkus.tls.memgrate-upstream.hostname-verification-algorithm is refused: Memgrate always verifies the"
                        + " configuration endpoints' certificates and host names; to trust a private CA set"
                        + " memgrate.upstream.tls.ca-file",
                "quarkus.tls.memgrate-upstream.reload-period is refused: set memgrate.upstream.tls.reload-period instead"
                        + " (default 1m)",
                "quarkus.tls.memgrate-upstream.trust-all is refused: Memgrate always verifies the configuration endpoints'"
                        + " certificates and host names; to trust a private CA set memgrate.upstream.tls.ca-file",
                "quarkus.tls.memgrate-upstream.trust-store.pem.certs is refused: set the CA(s) to trust with"
                        + " memgrate.upstream.tls.ca-file (PEM) instead");
    }

    @Test
    void registryPropertiesOfASideWhoseTlsIsOffAreRefused() {
        assertThat(SettingsChecks.problems(TestSettings.read(), Set.of("quarkus.tls.memgrate-listener.protocols",
                "quarkus.tls.memgrate-upstream.protocols"))).containsExactly(
                "quarkus.tls.memgrate-listener.protocols is refused: memgrate.tls.enabled is false, so nothing uses it;"
                        + " set memgrate.tls.enabled=true, or remove it",
                "quarkus.tls.memgrate-upstream.protocols is refused: memgrate.upstream.tls.enabled is false, so nothing"
                        + " uses it; set memgrate.upstream.tls.enabled=true, or remove it");
    }

    @Test
    void feedHandsGoodFilesOfEnabledSidesToTheRegistry() {
        TestCertificates.Issued server = listenerFiles();
        Path ca = dir.resolve("ca.crt");
        assertThat(TlsRegistryFeed.properties(config("memgrate.tls.enabled", "true",
                "memgrate.tls.certificate-file", server.certificateFile().toString(),
                "memgrate.tls.key-file", server.keyFile().toString(),
                "memgrate.upstream.tls.enabled", "TRUE",
                "memgrate.upstream.tls.ca-file", ca.toString(),
                "memgrate.upstream.tls.reload-period", "30s"))).isEqualTo(Map.of(
                "quarkus.tls.memgrate-listener.key-store.pem.0.cert", server.certificateFile().toString(),
                "quarkus.tls.memgrate-listener.key-store.pem.0.key", server.keyFile().toString(),
                "quarkus.tls.memgrate-listener.reload-period", "PT1M",
                "quarkus.tls.memgrate-upstream.trust-store.pem.certs", ca.toString(),
                "quarkus.tls.memgrate-upstream.reload-period", "PT30S"));
    }

    @Test
    void feedHandsNothingWhileTlsIsOffOrAFileIsBad() throws Exception {
        TestCertificates.Issued server = listenerFiles();
        Path ca = dir.resolve("ca.crt");
        assertThat(TlsRegistryFeed.properties(config(
                "memgrate.tls.certificate-file", server.certificateFile().toString(),
                "memgrate.tls.key-file", server.keyFile().toString(),
                "memgrate.upstream.tls.ca-file", ca.toString()))).isEmpty();
        assertThat(TlsRegistryFeed.properties(config("memgrate.tls.enabled", "true",
                "memgrate.tls.certificate-file", server.certificateFile().toString(),
                "memgrate.tls.key-file", server.certificateFile().toString(),
                "memgrate.upstream.tls.enabled", "true",
                "memgrate.upstream.tls.ca-file", dir.resolve("missing.pem").toString()))).isEmpty();
        // and a reload period of 0s: loaded once
        assertThat(TlsRegistryFeed.properties(config("memgrate.upstream.tls.enabled", "true",
                "memgrate.upstream.tls.ca-file", ca.toString(), "memgrate.upstream.tls.reload-period", "0s")))
                .isEqualTo(Map.of("quarkus.tls.memgrate-upstream.trust-store.pem.certs", ca.toString()));
        // a comma would split the list property
        Path comma = Files.copy(ca, Files.createDirectories(dir.resolve("a,b")).resolve("ca.crt"));
        assertThat(TlsRegistryFeed.properties(config("memgrate.upstream.tls.enabled", "true",
                "memgrate.upstream.tls.ca-file", comma.toString())))
                .containsEntry("quarkus.tls.memgrate-upstream.trust-store.pem.certs", comma.toString().replace(",", "\\,"));
    }

    @Test
    void operatorTlsPropertiesLeaveOutWhatTheFeedDerived() {
        TestCertificates.Issued server = listenerFiles();
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(Map.of("memgrate.tls.enabled", "true",
                        "memgrate.tls.certificate-file", server.certificateFile().toString(),
                        "memgrate.tls.key-file", server.keyFile().toString(),
                        "quarkus.tls.memgrate-listener.protocols", "TLSv1.3",
                        "quarkus.tls.other.protocols", "TLSv1.3"), "operator", 250))
                .withSources(new TlsRegistryFeed())
                .build();
        assertThat(config.getConfigValue("quarkus.tls.memgrate-listener.key-store.pem.0.cert").getValue())
                .isEqualTo(server.certificateFile().toString());
        assertThat(SettingsChecks.operatorTlsProperties(config)).containsExactly("quarkus.tls.memgrate-listener.protocols");
    }

    /** A server certificate and key signed by a CA, all in {@link #dir}. */
    private TestCertificates.Issued listenerFiles() {
        Path certificate = dir.resolve("server.crt");
        if (Files.exists(certificate)) {
            return new TestCertificates.Issued(null, null, certificate, dir.resolve("server.key"));
        }
        return TestCertificates.localhost(TestCertificates.ca(dir), dir, "server");
    }

    private static Function<String, String> config(String... keysAndValues) {
        Map<String, String> properties = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return properties::get;
    }
}
