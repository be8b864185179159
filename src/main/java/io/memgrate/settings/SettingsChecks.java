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
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.memgrate.cluster.Topology;
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

    /** What a PEM file must hold, and the line that begins it (the key forms Vert.x reads). */
    private enum Pem {
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

    @Inject
    public SettingsChecks(MemgrateSettings settings) {
        this.settings = settings;
    }

    /** Refuses to start, with one line per problem, before anything listens or polls. */
    public void check() {
        List<String> problems = problems(settings);
        if (!problems.isEmpty()) {
            // Quarkus prints a ConfigurationException as its message alone
            throw new ConfigurationException(String.join("\n", problems));
        }
    }

    /** Every problem found, one line each; empty when Memgrate can start. */
    static List<String> problems(MemgrateSettings settings) {
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
        if (settings.upstream().tls().enabled()) {
            settings.upstream().tls().caFile().ifPresent(
                    file -> pem(problems, "memgrate.upstream.tls.ca-file", file, Pem.CERTIFICATE));
        }
        if (settings.tls().enabled()) {
            required(problems, "memgrate.tls.certificate-file", settings.tls().certificateFile(), Pem.CERTIFICATE);
            required(problems, "memgrate.tls.key-file", settings.tls().keyFile(), Pem.PRIVATE_KEY);
        }
        return problems;
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
        String prefix = property + "=" + file + " is refused: ";
        if (!Files.exists(file)) {
            problems.add(prefix + "no such file");
            return;
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            problems.add(prefix + "not a readable file");
            return;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            problems.add(prefix + "cannot read it (" + e.getMessage() + ")");
            return;
        }
        // PEM is ASCII; ISO-8859-1 decodes any byte, so a binary file is reported as not PEM rather than failing here
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        if (!content.begin.matcher(text).find()) {
            problems.add(prefix + "not a PEM " + content.what + " (no " + content.beginLine + " line)");
        } else if (content == Pem.CERTIFICATE) {
            try {
                CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes));
            } catch (CertificateException e) {
                problems.add(prefix + "its PEM certificate does not parse (" + e.getMessage() + ")");
            }
        }
    }
}
