package io.memgrate.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.cluster.Node;
import io.memgrate.cluster.Topology;
import io.memgrate.protocol.ConfigAnswer;
import io.memgrate.protocol.MalformedContentException;
import io.memgrate.protocol.Replies;
import io.memgrate.protocol.ReplyDecoder;
import io.memgrate.support.FaultyConfigEndpoint;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

/** One reused upstream connection: pipelined exchanges, replies in many reads, malformed replies, timeouts, and an endpoint that moves. */
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
        FaultyConfigEndpoint endpoint = endpoint();
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
        FaultyConfigEndpoint endpoint = endpoint();
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
        FaultyConfigEndpoint first = endpoint();
        FaultyConfigEndpoint second = endpoint();
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

    @Test
    void eachExchangeCompletesWithTheValueItsDecoderReads() {
        FaultyConfigEndpoint endpoint = endpoint();
        UpstreamConnection connection = connection(() -> new HostAndPort("127.0.0.1", endpoint.port()), Duration.ofSeconds(2));
        Future<ConfigAnswer> config = connection.exchange(Buffer.buffer("config get cluster\r\n"), ReplyDecoder.config());
        Future<String> version = connection.exchange(Buffer.buffer("version\r\n"), ReplyDecoder.version());
        Future<byte[]> stats = connection.exchange(Buffer.buffer("stats\r\n"), ReplyDecoder.stats());
        settle(Future.all(config, version, stats));
        assertThat(config.result()).isEqualTo(new ConfigAnswer.Found(CONFIG));
        assertThat(version.result()).isEqualTo("1.6.22");
        assertThat(new String(stats.result(), StandardCharsets.US_ASCII)).startsWith("STAT pid ").endsWith("END\r\n");
    }

    @Test
    void aWholeReplyThatSaysSomethingInvalidFailsOnlyItsExchangeAndTheConnectionStays() {
        FaultyConfigEndpoint endpoint = endpoint();
        endpoint.answerConfigWith("CONFIG cluster 0 12\r\n4\nx.test|1|\n\r\nEND\r\n".getBytes(StandardCharsets.US_ASCII));
        UpstreamConnection connection = connection(() -> new HostAndPort("127.0.0.1", endpoint.port()), Duration.ofSeconds(2));
        Future<ConfigAnswer> config = connection.exchange(Buffer.buffer("config get cluster\r\n"), ReplyDecoder.config());
        Future<String> version = connection.exchange(Buffer.buffer("version\r\n"), ReplyDecoder.version());
        settle(Future.join(config, version));

        assertThat(config.cause()).isInstanceOf(MalformedContentException.class)
                .hasMessage("node entry 'x.test|1|' has no numeric port");
        assertThat(((MalformedContentException) config.cause()).reason()).isEqualTo("node");
        assertThat(version.result()).as("the reply after it, in step").isEqualTo("1.6.22");
        assertThat(settle(connection.exchange(Buffer.buffer("version\r\n"), ReplyDecoder.version())).result()).isEqualTo("1.6.22");
        assertThat(endpoint.connections()).as("the connection is kept").isEqualTo(1);
    }

    @Test
    void aReplyThatCannotBeFramedDropsTheConnectionWithEveryExchangeInFlight() {
        FaultyConfigEndpoint endpoint = endpoint();
        endpoint.answerConfigWith("CONFIG cluster 0 5\r\n4\nx.test||1\n\r\nEND\r\n".getBytes(StandardCharsets.US_ASCII));
        UpstreamConnection connection = connection(() -> new HostAndPort("127.0.0.1", endpoint.port()), Duration.ofSeconds(2));
        Future<ConfigAnswer> config = connection.exchange(Buffer.buffer("config get cluster\r\n"), ReplyDecoder.config());
        Future<String> version = connection.exchange(Buffer.buffer("version\r\n"), ReplyDecoder.version());
        settle(Future.join(config, version));

        for (Future<?> exchange : List.of(config, version)) {
            assertThat(((UpstreamException) exchange.cause()).reason()).isEqualTo("malformed-framing");
            assertThat(exchange.cause()).hasMessage("malformed reply: the 5 counted bytes are not followed by \\r\\nEND\\r\\n"
                    + " (wrong byte count or missing END)");
        }
        assertThat(settle(connection.exchange(Buffer.buffer("version\r\n"), ReplyDecoder.version())).result()).isEqualTo("1.6.22");
        assertThat(endpoint.connections()).as("connected again").isEqualTo(2);
    }

    @Test
    void aLargeReplyInManyReadsAndTheReplyPipelinedBehindItDecodeAsSent() {
        StringBuilder stats = new StringBuilder();
        for (int i = 0; stats.length() < 256 * 1024; i++) {
            stats.append("STAT item_").append(i).append(' ').append(i * 7919L).append("\r\n");
        }
        byte[] statsReply = stats.append("END\r\n").toString().getBytes(StandardCharsets.US_ASCII);
        byte[] replies = (stats + "VERSION 1.6.22\r\n").getBytes(StandardCharsets.US_ASCII);
        int port = upstreamWriting(replies, 4093);
        UpstreamConnection connection = connection(() -> new HostAndPort("127.0.0.1", port), Duration.ofSeconds(5));
        Future<byte[]> statsAnswer = connection.exchange(Buffer.buffer("stats\r\n"), ReplyDecoder.stats());
        Future<String> version = connection.exchange(Buffer.buffer("version\r\n"), ReplyDecoder.version());
        settle(Future.all(statsAnswer, version));

        assertThat(statsAnswer.result()).isEqualTo(statsReply);
        assertThat(version.result()).isEqualTo("1.6.22");
    }

    @Test
    void bytesNobodyAskedForDropTheConnection() {
        AtomicBoolean closed = new AtomicBoolean();
        NetServer server = vertx.createNetServer().connectHandler(socket -> {
            socket.closeHandler(v -> closed.set(true));
            // the answer, then a line no request asked for
            socket.handler(request -> socket.write("VERSION 1.6.22\r\nEND\r\n"));
        });
        int port = settle(server.listen(0, "127.0.0.1")).result().actualPort();
        UpstreamConnection connection = connection(() -> new HostAndPort("127.0.0.1", port), Duration.ofSeconds(30));

        assertThat(settle(connection.exchange(Buffer.buffer("version\r\n"), ReplyDecoder.version())).result()).isEqualTo("1.6.22");
        await().atMost(Duration.ofSeconds(10)).untilTrue(closed);
    }

    /**
     * An upstream that answers the first bytes it reads on a connection (the requests, pipelined) with all of
     * {@code replies}, written {@code writeSize} bytes at a time on successive timer ticks, so they arrive in many reads.
     */
    private int upstreamWriting(byte[] replies, int writeSize) {
        NetServer server = vertx.createNetServer();
        server.connectHandler(socket -> {
            AtomicBoolean answered = new AtomicBoolean();
            socket.handler(request -> {
                if (!answered.getAndSet(true)) {
                    writeFrom(socket, replies, 0, writeSize);
                }
            });
        });
        return settle(server.listen(0, "127.0.0.1")).result().actualPort();
    }

    private void writeFrom(NetSocket socket, byte[] replies, int from, int writeSize) {
        int to = Math.min(replies.length, from + writeSize);
        socket.write(Buffer.buffer(Arrays.copyOfRange(replies, from, to)));
        if (to < replies.length) {
            vertx.setTimer(1, id -> writeFrom(socket, replies, to, writeSize));
        }
    }

    private FaultyConfigEndpoint endpoint() {
        FaultyConfigEndpoint endpoint = new FaultyConfigEndpoint(vertx, "1.6.22", CONFIG);
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
