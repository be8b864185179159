package io.memgrate.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.cluster.Node;
import io.memgrate.cluster.Topology;
import io.memgrate.emulator.EmulatedConfigEndpoint;
import io.memgrate.protocol.Replies;
import io.memgrate.protocol.ReplyDecoder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClientOptions;

/** One reused upstream connection: pipelined exchanges, timeouts, and an endpoint that moves. */
class UpstreamConnectionTest {

    private static final Topology CONFIG = new Topology(4, List.of(new Node("a.test", "127.0.0.1", 11211)));

    private Vertx vertx;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void requestsIssuedWhileConnectingShareOneConnectionAndKeepTheirOrder() {
        EmulatedConfigEndpoint endpoint = endpoint();
        UpstreamConnection connection = connection(() -> new HostAndPort("127.0.0.1", endpoint.port()), Duration.ofSeconds(2));
        Future<Buffer> config = connection.exchange(Buffer.buffer("config get cluster\r\n"), Verbatim.of(ReplyDecoder.config()));
        Future<Buffer> version = connection.exchange(Buffer.buffer("version\r\n"), Verbatim.of(ReplyDecoder.version()));
        Future<Buffer> stats = connection.exchange(Buffer.buffer("stats\r\n"), Verbatim.of(ReplyDecoder.stats()));
        settle(Future.all(config, version, stats));
        assertThat(config.result().getBytes()).isEqualTo(Replies.config(CONFIG));
        assertThat(version.result().toString()).isEqualTo("VERSION 1.6.22\r\n");
        assertThat(stats.result().toString()).startsWith("STAT pid ").endsWith("END\r\n");
        assertThat(endpoint.connections()).isEqualTo(1);
        settle(connection.exchange(Buffer.buffer("version\r\n"), Verbatim.of(ReplyDecoder.version())));
        assertThat(endpoint.connections()).as("the connection is reused").isEqualTo(1);
    }

    @Test
    void timeoutDropsTheConnectionAndTheNextExchangeConnectsAgain() {
        EmulatedConfigEndpoint endpoint = endpoint();
        endpoint.setSilent(true);
        UpstreamConnection connection = connection(() -> new HostAndPort("127.0.0.1", endpoint.port()), Duration.ofMillis(200));
        Future<Buffer> stalled = settle(connection.exchange(Buffer.buffer("version\r\n"), Verbatim.of(ReplyDecoder.version())));
        assertThat(((UpstreamException) stalled.cause()).reason()).isEqualTo("timeout");
        endpoint.setSilent(false);
        Future<Buffer> answered = settle(connection.exchange(Buffer.buffer("version\r\n"), Verbatim.of(ReplyDecoder.version())));
        assertThat(answered.result().toString()).isEqualTo("VERSION 1.6.22\r\n");
        assertThat(endpoint.connections()).isEqualTo(2);
    }

    @Test
    void movedEndpointIsFollowedOnTheNextExchange() {
        EmulatedConfigEndpoint first = endpoint();
        EmulatedConfigEndpoint second = endpoint();
        AtomicReference<HostAndPort> current = new AtomicReference<>(new HostAndPort("127.0.0.1", first.port()));
        UpstreamConnection connection = connection(current::get, Duration.ofSeconds(2));
        settle(connection.exchange(Buffer.buffer("version\r\n"), Verbatim.of(ReplyDecoder.version())));
        current.set(new HostAndPort("127.0.0.1", second.port()));
        assertThat(settle(connection.exchange(Buffer.buffer("version\r\n"), Verbatim.of(ReplyDecoder.version()))).succeeded()).isTrue();
        assertThat(first.connections()).isEqualTo(1);
        assertThat(second.connections()).isEqualTo(1);
    }

    @Test
    void endpointSourceThatFailsAtOnceFailsTheExchange() {
        // as ClusterIdEndpointSource answers during its backoff after a failed lookup
        EndpointSource unresolved = () -> Future.failedFuture(new IllegalStateException("cluster not found"));
        UpstreamConnection connection = new UpstreamConnection(vertx.getOrCreateContext(),
                vertx.createNetClient(new NetClientOptions()), unresolved, Duration.ofSeconds(2), 1 << 20);
        for (int attempt = 0; attempt < 2; attempt++) {
            Future<Buffer> reply = settle(connection.exchange(Buffer.buffer("version\r\n"), Verbatim.of(ReplyDecoder.version())));
            assertThat(((UpstreamException) reply.cause()).reason()).isEqualTo("resolve");
            assertThat(reply.cause()).hasMessageContaining("cluster not found");
        }
    }

    private EmulatedConfigEndpoint endpoint() {
        EmulatedConfigEndpoint endpoint = new EmulatedConfigEndpoint(vertx, "1.6.22", CONFIG);
        settle(endpoint.start("127.0.0.1", 0));
        return endpoint;
    }

    private interface Address {
        HostAndPort now();
    }

    private UpstreamConnection connection(Address address, Duration timeout) {
        EndpointSource source = () -> Future.succeededFuture(address.now());
        return new UpstreamConnection(vertx.getOrCreateContext(), vertx.createNetClient(new NetClientOptions()), source,
                timeout, 1 << 20);
    }

    private static <T> Future<T> settle(Future<T> future) {
        await().atMost(Duration.ofSeconds(10)).until(future::isComplete);
        return future;
    }
}
