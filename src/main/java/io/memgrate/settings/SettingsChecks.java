package io.memgrate.settings;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;

import io.memgrate.cluster.Topology;
import io.memgrate.movement.HashScheme;
import io.memgrate.protocol.ClientCommand;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * Refuses settings Memgrate cannot work with, at start-up, with one line per problem naming the property. Runs before
 * the listener and the pollers start: a start-up refused after a poller ran printed that poller's failure against the
 * stopped application (a long stack trace) before the useful line.
 */
@ApplicationScoped
public class SettingsChecks {

    /** The longest command line Memgrate answers without arguments. */
    static final int SHORTEST_MAX_LINE = ("get " + ClientCommand.LEGACY_CONFIG_KEY).length();

    /** The smallest node stats reply limit: below it, a typo (16 meaning 16 KB) would refuse every node's reply. */
    static final int MIN_STATS_REPLY_BYTES = 1024;
    /**
     * The least cache memory of a dev node: memcached refuses {@code -m} below 2 (its 1 MiB item size limit must be at
     * most half the memory) and exits, which left dev start-up waiting 10 s for a node that never answered.
     */
    static final int MIN_DEV_NODE_MEMORY_MB = 2;

    /** A Kubernetes object name (a DNS subdomain), as ConfigMaps and Leases take. */
    private static final Pattern KUBERNETES_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    /** Labels that select pods, {@code key=value[,key=value...]}, as the autopilot's pod selector takes them. */
    private static final Pattern LABEL_SELECTOR = Pattern.compile("[\\w./-]+=[\\w.-]*(,[\\w./-]+=[\\w.-]*)*");

    /** What a PEM file must hold, and the line that begins it (the key forms Vert.x reads). */
    enum Pem {
        CERTIFICATE("certificate", "-----BEGIN CERTIFICATE-----", "-----BEGIN CERTIFICATE-----"),
        PRIVATE_KEY("private key", "-----BEGIN PRIVATE KEY-----", "-----BEGIN (?:RSA |EC )?PRIVATE KEY-----");

        final String what;
        final String beginLine;
        final Pattern begin;

        Pem(String what, String beginLine, String begin) {
            this.what = what;
            this.beginLine = beginLine;
            this.begin = Pattern.compile(begin);
        }
    }

    private final MemgrateSettings settings;
    private final Config config;

    @Inject
    public SettingsChecks(MemgrateSettings settings, Config config) {
        this.settings = settings;
        this.config = config;
    }

    /** Refuses to start, with one line per problem, before anything listens or polls. */
    public void check() {
        List<String> problems = problems(settings, operatorTlsProperties(config));
        if (!problems.isEmpty()) {
            // Quarkus prints a ConfigurationException as its message alone
            throw new ConfigurationException(String.join("\n", problems));
        }
    }

    /** Every problem found, one line each; empty when Memgrate can start. No {@code quarkus.tls.memgrate-*} set. */
    static List<String> problems(MemgrateSettings settings) {
        return problems(settings, Set.of());
    }

    /**
     * Every problem found, one line each; empty when Memgrate can start. {@code tlsProperties}: the
     * {@code quarkus.tls.memgrate-listener.*} and {@code quarkus.tls.memgrate-upstream.*} properties set by the operator
     * ({@link #operatorTlsProperties}).
     */
    static List<String> problems(MemgrateSettings settings, Set<String> tlsProperties) {
        List<String> problems = new ArrayList<>();
        int port = settings.listen().port();
        if (port < 0 || port > 65535) {
            problems.add("memgrate.listen.port=" + port + " is refused: use 1-65535, or 0 for a free port");
        }
        atLeastOneMilli(problems, "memgrate.refresh-interval", settings.refreshInterval());
        atLeastOneMilli(problems, "memgrate.upstream.timeout", settings.upstream().timeout());
        atLeastOneMilli(problems, "memgrate.aws.resolve-interval", settings.aws().resolveInterval());
        atLeastOneMilli(problems, "memgrate.migration.check-interval", settings.migration().checkInterval());
        atLeastOneMilli(problems, "memgrate.client.idle-timeout", settings.client().idleTimeout());
        atLeastOneMilli(problems, "memgrate.client.write-stall-timeout", settings.client().writeStallTimeout());
        if (settings.stats().maxAge().isNegative()) {
            problems.add("memgrate.stats.max-age=" + settings.stats().maxAge()
                    + " is refused: it must be 0 (fetch for every request) or more");
        }
        Duration statsInterval = settings.nodes().statsInterval();
        if (statsInterval.isNegative() || (!statsInterval.isZero() && statsInterval.toMillis() < 1)) {
            problems.add("memgrate.nodes.stats-interval=" + statsInterval
                    + " is refused: use 0s (node statistics off) or at least 1ms");
        }
        if (settings.nodes().maxStatsReplyBytes() < MIN_STATS_REPLY_BYTES) {
            problems.add("memgrate.nodes.max-stats-reply-bytes=" + settings.nodes().maxStatsReplyBytes() + " is refused:"
                    + " it must be at least " + MIN_STATS_REPLY_BYTES + " (a node's stats reply is 3-4 KB; default 16384)");
        }
        double warmMargin = settings.migration().warmMargin();
        if (!(warmMargin >= 0 && warmMargin <= 1)) {
            problems.add("memgrate.migration.warm-margin=" + warmMargin
                    + " is refused: it is a difference of hit ratios, from 0 to 1 (default 0.05)");
        }
        migrationControl(problems, settings.migration(), statsInterval);
        if (settings.shutdownDrainTimeout().isNegative()) {
            problems.add("memgrate.shutdown-drain-timeout=" + settings.shutdownDrainTimeout()
                    + " is refused: it must be 0 (do not wait) or more");
        }
        long offset = settings.versionOffset();
        if (offset < 0 || offset > Topology.MAX_VERSION) {
            problems.add("memgrate.version-offset=" + offset + " is refused: use 0-" + Topology.MAX_VERSION
                    + " (served versions never go down, and clients read them as signed 32-bit integers)");
        }
        if (settings.upstream().maxReplyBytes() < 1) {
            problems.add("memgrate.upstream.max-reply-bytes=" + settings.upstream().maxReplyBytes()
                    + " is refused: it must be at least 1 (default 1048576)");
        }
        if (settings.client().maxLineBytes() < SHORTEST_MAX_LINE) {
            problems.add("memgrate.client.max-line-bytes=" + settings.client().maxLineBytes() + " is refused: it must be"
                    + " at least " + SHORTEST_MAX_LINE + ", the length of get " + ClientCommand.LEGACY_CONFIG_KEY
                    + " (default 2048)");
        }
        if (settings.client().maxConnections() < 1) {
            problems.add("memgrate.client.max-connections=" + settings.client().maxConnections()
                    + " is refused: it must be at least 1 (default 10000)");
        }
        int nodeMemoryMb = settings.devClusters().nodeMemoryMb();
        if (nodeMemoryMb < MIN_DEV_NODE_MEMORY_MB) {
            problems.add("memgrate.dev-clusters.node-memory-mb=" + nodeMemoryMb + " is refused: it must be at least "
                    + MIN_DEV_NODE_MEMORY_MB + ", the least memcached runs with (default 64)");
        }
        MemgrateSettings.Dev.Traffic traffic = settings.devClusters().traffic();
        if (traffic.keys() < 1) {
            problems.add("memgrate.dev-clusters.traffic.keys=" + traffic.keys() + " is refused: it must be at least 1"
                    + " (default 5000)");
        }
        if (traffic.getsPerSecond() < 1) {
            problems.add("memgrate.dev-clusters.traffic.gets-per-second=" + traffic.getsPerSecond() + " is refused: it must"
                    + " be at least 1 (default 1000)");
        }
        if (settings.upstream().tls().enabled()) {
            settings.upstream().tls().caFile().ifPresent(
                    file -> pem(problems, "memgrate.upstream.tls.ca-file", file, Pem.CERTIFICATE));
        }
        if (settings.tls().enabled()) {
            required(problems, "memgrate.tls.certificate-file", settings.tls().certificateFile(), Pem.CERTIFICATE);
            required(problems, "memgrate.tls.key-file", settings.tls().keyFile(), Pem.PRIVATE_KEY);
        }
        reloadPeriod(problems, "memgrate.upstream.tls.reload-period", settings.upstream().tls().reloadPeriod());
        reloadPeriod(problems, "memgrate.tls.reload-period", settings.tls().reloadPeriod());
        new TreeSet<>(tlsProperties).forEach(property -> registryProperty(problems, settings, property));
        return problems;
    }

    /**
     * The {@code quarkus.tls.memgrate-listener.*} and {@code quarkus.tls.memgrate-upstream.*} properties that the
     * operator set: every such name in {@code config} except those {@link TlsRegistryFeed} derives from
     * {@code memgrate.*}.
     */
    static Set<String> operatorTlsProperties(Config config) {
        Set<String> properties = new TreeSet<>();
        for (String name : config.getPropertyNames()) {
            String plain = name.replace("\"", "");
            if ((plain.startsWith(RegistryTls.prefix(RegistryTls.LISTENER)) || plain.startsWith(RegistryTls.prefix(RegistryTls.UPSTREAM)))
                    && !TlsRegistryFeed.SOURCE.equals(config.getConfigValue(name).getSourceName())) {
                properties.add(plain);
            }
        }
        return properties;
    }

    /**
     * One {@code quarkus.tls.memgrate-*} property set by the operator: refused unless its side's TLS is on and it is one
     * Memgrate takes from the registry ({@link RegistryTls}); never silently without effect.
     */
    private static void registryProperty(List<String> problems, MemgrateSettings settings, String property) {
        boolean listener = property.startsWith(RegistryTls.prefix(RegistryTls.LISTENER));
        String name = property.substring(RegistryTls.prefix(listener ? RegistryTls.LISTENER : RegistryTls.UPSTREAM).length());
        String enabled = listener ? "memgrate.tls.enabled" : "memgrate.upstream.tls.enabled";
        String refused = property + " is refused: ";
        if (!(listener ? settings.tls().enabled() : settings.upstream().tls().enabled())) {
            problems.add(refused + enabled + " is false, so nothing uses it; set " + enabled + "=true, or remove it");
            return;
        }
        List<String> taken = new ArrayList<>(RegistryTls.OPERATOR_PROPERTIES);
        if (!listener) {
            taken.addAll(RegistryTls.UPSTREAM_OPERATOR_PROPERTIES);
        }
        if (taken.stream().anyMatch(t -> name.equals(t) || name.startsWith(t + "["))) {
            return;
        }
        String side = listener ? "memgrate.tls." : "memgrate.upstream.tls.";
        if (name.equals("reload-period")) {
            problems.add(refused + "set " + side + "reload-period instead (default " + MemgrateSettings.RELOAD_PERIOD + ")");
        } else if (listener && name.startsWith("key-store.")) {
            problems.add(refused + "set the listener's certificate with memgrate.tls.certificate-file and memgrate.tls.key-file"
                    + " (PEM) instead");
        } else if (!listener && name.startsWith("trust-store.")) {
            problems.add(refused + "set the CA(s) to trust with memgrate.upstream.tls.ca-file (PEM) instead");
        } else if (!listener && (name.equals("trust-all") || name.equals("hostname-verification-algorithm"))) {
            problems.add(refused + "Memgrate always verifies the configuration endpoints' certificates and host names;"
                    + " to trust a private CA set memgrate.upstream.tls.ca-file");
        } else {
            boolean clientCertificates = listener && (name.startsWith("trust-store.") || name.equals("trust-all")
                    || name.equals("certificate-revocation-list") || name.equals("hostname-verification-algorithm"));
            problems.add(refused + "Memgrate takes only " + String.join(", ", taken) + " from " + RegistryTls.prefix(
                    listener ? RegistryTls.LISTENER : RegistryTls.UPSTREAM) + "*"
                    + (clientCertificates ? " (it does not ask clients for certificates)" : "") + "; remove it");
        }
    }

    /** The declared client hashing, and the autopilot's settings while it is enabled. */
    private static void migrationControl(List<String> problems, MemgrateSettings.Migration migration, Duration statsInterval) {
        Optional<String> hashing = migration.clientHashing();
        hashing.filter(label -> HashScheme.byLabel(label).isEmpty()).ifPresent(label -> problems.add(
                "memgrate.migration.client-hashing=" + label + " is refused: use one of "
                        + String.join(", ", HashScheme.labels()) + " (the scheme your clients hash keys with)"));
        MemgrateSettings.Autopilot autopilot = migration.autopilot();
        autopilot.window().ifPresent(window -> {
            try {
                DailyWindow.parse(window);
            } catch (IllegalArgumentException e) {
                problems.add("memgrate.migration.autopilot.window=" + window + " is refused: " + e.getMessage());
            }
        });
        atLeastOneMilli(problems, "memgrate.migration.autopilot.min-dwell", autopilot.minDwell());
        atLeastOneMilli(problems, "memgrate.migration.autopilot.max-warmup", autopilot.maxWarmup());
        autopilotOnKubernetes(problems, autopilot);
        if (!autopilot.enabled()) {
            return;
        }
        if (hashing.isEmpty()) {
            problems.add("memgrate.migration.autopilot.enabled=true is refused: set memgrate.migration.client-hashing to"
                    + " the scheme your clients use (" + String.join(", ", HashScheme.labels())
                    + "), so it knows the gentlest step");
        }
        if (statsInterval.isZero()) {
            problems.add("memgrate.migration.autopilot.enabled=true is refused: memgrate.nodes.stats-interval is 0, so no"
                    + " step ever looks safe; set it (default 30s)");
        } else if (autopilot.minDwell().compareTo(statsInterval.multipliedBy(2)) < 0) {
            problems.add("memgrate.migration.autopilot.min-dwell=" + autopilot.minDwell() + " is refused: it must be at"
                    + " least two memgrate.nodes.stats-interval (" + statsInterval.multipliedBy(2) + "), one for the node"
                    + " admitted last to be served a whole interval and one to measure it");
        }
        Optional<Path> planFile = migration.planFile();
        if (planFile.isEmpty()) {
            problems.add("memgrate.migration.autopilot.enabled=true is refused: set memgrate.migration.plan-file, the plan"
                    + " it writes each step into");
        } else if (autopilot.configmap().isEmpty()) {
            Path folder = planFile.get().toAbsolutePath().getParent();
            if (folder == null || !Files.isDirectory(folder) || !Files.isWritable(folder)) {
                problems.add("memgrate.migration.plan-file=" + planFile.get() + " is refused with"
                        + " memgrate.migration.autopilot.enabled=true: its folder " + folder + " is not a writable folder, and"
                        + " the autopilot writes each plan to a file there, then renames it over the plan");
            }
        }
    }

    /** The Kubernetes names and the Lease's duration, whole seconds as a Lease holds them. */
    private static void autopilotOnKubernetes(List<String> problems, MemgrateSettings.Autopilot autopilot) {
        autopilot.configmap().filter(name -> !KUBERNETES_NAME.matcher(name).matches()).ifPresent(name -> problems.add(
                "memgrate.migration.autopilot.configmap=" + name + " is refused: name the plan's ConfigMap as Kubernetes"
                        + " names it (lower-case letters, digits, '-' and '.')"));
        if (!KUBERNETES_NAME.matcher(autopilot.lease()).matches()) {
            problems.add("memgrate.migration.autopilot.lease=" + autopilot.lease() + " is refused: name the Lease as"
                    + " Kubernetes names it (lower-case letters, digits, '-' and '.')");
        }
        if (!LABEL_SELECTOR.matcher(autopilot.podSelector()).matches()) {
            problems.add("memgrate.migration.autopilot.pod-selector=" + autopilot.podSelector() + " is refused: give the"
                    + " labels of Memgrate's pods as key=value[,key=value...], e.g. app.kubernetes.io/name=memgrate");
        }
        Duration lease = autopilot.leaseDuration();
        if (lease.toSeconds() < 1 || lease.toMillis() % 1000 != 0) {
            problems.add("memgrate.migration.autopilot.lease-duration=" + lease + " is refused: a Lease holds for whole"
                    + " seconds; use at least 1s");
        }
    }

    private static void reloadPeriod(List<String> problems, String property, Duration value) {
        if (value.isNegative() || (!value.isZero() && value.toMillis() < 1)) {
            problems.add(property + "=" + value + " is refused: use 0s (read the files at start-up only) or at least 1ms");
        }
    }

    private static void atLeastOneMilli(List<String> problems, String property, Duration value) {
        if (value.toMillis() < 1) {
            problems.add(property + "=" + value + " is refused: it must be at least 1ms");
        }
    }

    private static void required(List<String> problems, String property, Optional<Path> file, Pem content) {
        file.ifPresentOrElse(path -> pem(problems, property, path, content), () -> problems.add(
                property + " is required when memgrate.tls.enabled is true: the path of a PEM " + content.what + " file"));
    }

    /** A readable file holding PEM {@code content} (a certificate must also parse); else one line saying what is wrong. */
    private static void pem(List<String> problems, String property, Path file, Pem content) {
        pemProblem(property, file, content).ifPresent(problems::add);
    }

    /**
     * Empty when {@code file} is a readable file holding PEM {@code content} (a certificate must also parse); else the
     * one line that says what is wrong with {@code property}.
     */
    static Optional<String> pemProblem(String property, Path file, Pem content) {
        String prefix = property + "=" + file + " is refused: ";
        if (!Files.exists(file)) {
            return Optional.of(prefix + "no such file");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            return Optional.of(prefix + "not a readable file");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return Optional.of(prefix + "cannot read it (" + e.getMessage() + ")");
        }
        // PEM is ASCII; ISO-8859-1 decodes any byte, so a binary file is reported as not PEM rather than failing here
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        if (!content.begin.matcher(text).find()) {
            return Optional.of(prefix + "not a PEM " + content.what + " (no " + content.beginLine + " line)");
        }
        if (content == Pem.CERTIFICATE) {
            try {
                CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes));
            } catch (CertificateException e) {
                return Optional.of(prefix + "its PEM certificate does not parse (" + e.getMessage() + ")");
            }
        }
        return Optional.empty();
    }
}
