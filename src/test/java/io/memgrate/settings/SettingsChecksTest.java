package io.memgrate.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.memgrate.support.TestCertificates;
import io.memgrate.support.TestSettings;

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
                "memgrate.client.max-connections", "-1"))).containsExactly(
                "memgrate.listen.port=65536 is refused: use 1-65535, or 0 for a free port",
                "memgrate.refresh-interval=PT0S is refused: it must be at least 1ms",
                "memgrate.upstream.timeout=PT-2S is refused: it must be at least 1ms",
                "memgrate.aws.resolve-interval=PT0S is refused: it must be at least 1ms",
                "memgrate.client.idle-timeout=PT0S is refused: it must be at least 1ms",
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
                "memgrate.client.max-connections", "1"))).isEmpty();
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
}
