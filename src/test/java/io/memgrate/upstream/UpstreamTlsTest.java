package io.memgrate.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
import io.memgrate.emulator.EmulatedConfigEndpoint;
import io.memgrate.protocol.Replies;
import io.memgrate.protocol.UpstreamReply;
import io.memgrate.settings.MemgrateSettings;
import io.memgrate.support.TestCertificates;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;

/** Upstream TLS: host name verification and a custom CA, against emulated endpoints with good and bad certificates. */
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

    private Future<Buffer> exchange(TestCertificates.Issued certificate, Optional<Path> caFile, String host) {
        EmulatedConfigEndpoint endpoint = new EmulatedConfigEndpoint(vertx, "1.6.22", CONFIG);
        endpoint.useTls(certificate.certificateFile().toString(), certificate.keyFile().toString());
        int port = settle(endpoint.start("127.0.0.1", 0)).result();
        NetClient client = vertx.createNetClient(Upstreams.clientOptions(settings(caFile)));
        UpstreamConnection connection = new UpstreamConnection(vertx.getOrCreateContext(), client,
                EndpointSource.fixed(new HostAndPort(host, port)), Duration.ofSeconds(2), 1 << 20);
        return settle(connection.exchange(Buffer.buffer("config get cluster\r\n", StandardCharsets.US_ASCII.name()), UpstreamReply.CONFIG));
    }

    private static <T> Future<T> settle(Future<T> future) {
        await().atMost(Duration.ofSeconds(10)).until(future::isComplete);
        return future;
    }

    private static MemgrateSettings.Upstream settings(Optional<Path> caFile) {
        return new MemgrateSettings.Upstream() {
            @Override
            public Duration timeout() {
                return Duration.ofSeconds(2);
            }

            @Override
            public int maxReplyBytes() {
                return 1 << 20;
            }

            @Override
            public MemgrateSettings.UpstreamTls tls() {
                return new MemgrateSettings.UpstreamTls() {
                    @Override
                    public boolean enabled() {
                        return true;
                    }

                    @Override
                    public Optional<Path> caFile() {
                        return caFile;
                    }

                    @Override
                    public Duration reloadPeriod() {
                        return Duration.ZERO;
                    }
                };
            }
        };
    }
}
