package io.memgrate.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.cluster.Node;
import io.memgrate.cluster.Topology;
import io.memgrate.protocol.Replies;
import io.memgrate.protocol.ReplyDecoder;
import io.memgrate.settings.MemgrateSettings;
import io.memgrate.settings.RegistryTls;
import io.memgrate.support.FaultyConfigEndpoint;
import io.memgrate.support.PemFilesTls;
import io.memgrate.support.TestCertificates;
import io.memgrate.support.TestSettings;
import io.quarkus.tls.CertificateUpdatedEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;

/**
 * Upstream TLS: host name verification and a custom CA, against emulated endpoints with good and bad certificates; a
 * reloaded CA file applies to new connections.
 */
class UpstreamTlsTest {

    private static final Topology CONFIG = new Topology(4, List.of(new Node("a.test", "127.0.0.1", 11211)));

    @TempDir
    Path dir;

    private Vertx vertx;
    private TestCertificates.Issued ca;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        ca = TestCertificates.ca(dir);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void verifiedEndpointAnswersOverTls() {
        Future<Buffer> reply = exchange(TestCertificates.localhost(ca, dir, "good"), Optional.of(ca.certificateFile()), "localhost");
        assertThat(reply.succeeded()).as("%s", reply.cause()).isTrue();
        assertThat(reply.result().getBytes()).isEqualTo(Replies.config(CONFIG));
    }

    @Test
    void certificateForAnotherHostIsRefused() {
        Instant now = Instant.now();
        TestCertificates.Issued other = TestCertificates.server(ca, dir, "other", List.of("other.example"), List.of(),
                now.minusSeconds(60), now.plusSeconds(3600));
        Future<Buffer> reply = exchange(other, Optional.of(ca.certificateFile()), "localhost");
        assertThat(reply.failed()).isTrue();
        assertThat(((UpstreamException) reply.cause()).reason()).isEqualTo("connect");
        assertThat(reply.cause().getMessage()).startsWith("cannot connect to localhost:").contains("No subject alternative DNS name matching localhost found");
    }

    @Test
    void expiredCertificateIsRefused() {
        Instant now = Instant.now();
        TestCertificates.Issued expired = TestCertificates.server(ca, dir, "expired", List.of("localhost"), List.of(),
                now.minusSeconds(7200), now.minusSeconds(3600));
        Future<Buffer> reply = exchange(expired, Optional.of(ca.certificateFile()), "localhost");
        assertThat(reply.failed()).isTrue();
        assertThat(reply.cause().getMessage()).startsWith("cannot connect to localhost:").contains("validity check failed: NotAfter");
    }

    @Test
    void certificateFromAnUntrustedCaIsRefused() {
        Future<Buffer> reply = exchange(TestCertificates.localhost(ca, dir, "good"), Optional.empty(), "localhost");
        assertThat(reply.failed()).isTrue();
        assertThat(reply.cause().getMessage()).startsWith("cannot connect to localhost:").contains("PKIX");
    }

    @Test
    void reloadedCaIsTrustedByNewConnectionsWhileOpenOnesGoOn() throws Exception {
        TestCertificates.Issued newCa = TestCertificates.ca(Files.createDirectories(dir.resolve("new")));
        Path trusted = Files.copy(ca.certificateFile(), dir.resolve("trusted.pem"));
        PemFilesTls registered = PemFilesTls.trusting(vertx, RegistryTls.UPSTREAM, trusted);
        UpstreamTls tls = new UpstreamTls(TestSettings.read("memgrate.upstream.tls.enabled", "true"), PemFilesTls.registry(registered));
        NetClient client = tls.reloading(vertx.createNetClient(tls.configure(Upstreams.clientOptions(settings()))));
        int oldPort = endpoint(TestCertificates.localhost(ca, dir, "old"));
        int newPort = endpoint(TestCertificates.localhost(newCa, dir, "new"));
        UpstreamConnection open = connection(client, "localhost", oldPort);
        assertThat(settle(config(open)).succeeded()).isTrue();
        assertThat(settle(config(connection(client, "localhost", newPort))).cause()).hasMessageContaining("PKIX");

        // the CA file now holds the new CA only; the registry reads it again and says so
        Files.copy(newCa.certificateFile(), trusted, StandardCopyOption.REPLACE_EXISTING);
        assertThat(registered.reload()).isTrue();
        tls.onCertificateUpdated(new CertificateUpdatedEvent(RegistryTls.UPSTREAM, registered));

        await().atMost(Duration.ofSeconds(10)).until(() -> succeeds(config(connection(client, "localhost", newPort))));
        // the open connection goes on (connecting again would fail: its endpoint's CA is no longer trusted)
        Future<Buffer> again = settle(config(open));
        assertThat(again.succeeded()).as("%s", again.cause()).isTrue();
        assertThat(again.result().getBytes()).isEqualTo(Replies.config(CONFIG));
        assertThat(settle(config(connection(client, "localhost", oldPort))).cause()).hasMessageContaining("PKIX");
        // and host names are still verified
        Instant now = Instant.now();
        int otherPort = endpoint(TestCertificates.server(newCa, dir, "other", List.of("other.example"), List.of(),
                now.minusSeconds(60), now.plusSeconds(3600)));
        assertThat(settle(config(connection(client, "localhost", otherPort))).cause())
                .hasMessageContaining("No subject alternative DNS name matching localhost found");
    }

    @Test
    void reloadOfAnotherConfigurationLeavesTheUpstreamsAlone() throws Exception {
        Path trusted = Files.copy(ca.certificateFile(), dir.resolve("trusted.pem"));
        PemFilesTls registered = PemFilesTls.trusting(vertx, RegistryTls.UPSTREAM, trusted);
        UpstreamTls tls = new UpstreamTls(TestSettings.read("memgrate.upstream.tls.enabled", "true"), PemFilesTls.registry(registered));
        NetClient client = tls.reloading(vertx.createNetClient(tls.configure(Upstreams.clientOptions(settings()))));
        int port = endpoint(TestCertificates.localhost(ca, dir, "good"));
        TestCertificates.Issued newCa = TestCertificates.ca(Files.createDirectories(dir.resolve("new")));
        Files.copy(newCa.certificateFile(), trusted, StandardCopyOption.REPLACE_EXISTING);
        assertThat(registered.reload()).isTrue();
        tls.onCertificateUpdated(new CertificateUpdatedEvent(RegistryTls.LISTENER, registered));
        assertThat(settle(config(connection(client, "localhost", port))).succeeded()).isTrue();
    }

    private Future<Buffer> exchange(TestCertificates.Issued certificate, Optional<Path> caFile, String host) {
        int port = endpoint(certificate);
        NetClient client = vertx.createNetClient(UpstreamTls.apply(Upstreams.clientOptions(settings()),
                caFile.map(file -> PemFilesTls.trusting(vertx, RegistryTls.UPSTREAM, file))));
        return settle(config(connection(client, host, port)));
    }

    /** An emulated configuration endpoint serving {@code certificate}; its port. */
    private int endpoint(TestCertificates.Issued certificate) {
        FaultyConfigEndpoint endpoint = new FaultyConfigEndpoint(vertx, "1.6.22", CONFIG);
        endpoint.useTls(certificate.certificateFile().toString(), certificate.keyFile().toString());
        return settle(endpoint.start("127.0.0.1", 0)).result();
    }

    private UpstreamConnection connection(NetClient client, String host, int port) {
        return new UpstreamConnection(vertx.getOrCreateContext(), client, EndpointSource.fixed(new HostAndPort(host, port)),
                Duration.ofSeconds(2), 1 << 20);
    }

    private static Future<Buffer> config(UpstreamConnection connection) {
        return connection.exchange(Buffer.buffer("config get cluster\r\n", StandardCharsets.US_ASCII.name()), Verbatim.of(ReplyDecoder.config()));
    }

    private static boolean succeeds(Future<?> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().handle((result, error) -> error == null).get(10, TimeUnit.SECONDS);
    }

    private static <T> Future<T> settle(Future<T> future) {
        await().atMost(Duration.ofSeconds(10)).until(future::isComplete);
        return future;
    }

    private static MemgrateSettings.Upstream settings() {
        return TestSettings.read("memgrate.upstream.timeout", "2s", "memgrate.upstream.tls.enabled", "true").upstream();
    }
}
