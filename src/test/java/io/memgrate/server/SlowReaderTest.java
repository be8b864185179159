package io.memgrate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.memgrate.support.TestClusters;
import io.memgrate.support.TextClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Clients that send without reading their replies: Memgrate stops reading from them once their write queue is full
 * (so what one client holds stays bounded), answers everything in order once they read, and closes them when they
 * leave their replies unread for the write-stall timeout.
 */
@QuarkusTest
@TestProfile(SmallClientLimits.class)
@WithTestResource(TestClusters.class)
class SlowReaderTest extends SmallLimitsClientTest {

    private static final byte[] CONFIG_GET = "config get cluster\r\n".getBytes(StandardCharsets.US_ASCII);

    @Test
    void aClientThatNeverReadsIsPausedThenClosedAfterTheStallTimeout() throws IOException {
        double stalledBefore = stalled();
        double answeredBefore = answered();
        long sent;
        try (SocketChannel client = SocketChannel.open()) {
            client.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
            client.connect(new InetSocketAddress("127.0.0.1", server.port()));
            client.configureBlocking(false);
            sent = sendUntilTheServerStopsReading(client, 64L << 20);

            assertThat(blocked()).isEqualTo(1);
            // what was answered fits the kernel's socket buffers and one write queue, far below what was sent
            long answered = (long) (answered() - answeredBefore);
            assertThat(answered * config.length()).isLessThan(16L << 20);
            assertThat(sent / CONFIG_GET.length).isGreaterThan(answered);

            await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 0);
            assertThat(stalled() - stalledBefore).isEqualTo(1);
            assertThat(blocked()).isZero();
        }
        try (TextClient other = new TextClient(server.port())) {
            assertThat(other.configGet()).isEqualTo(config);
        }
    }

    @Test
    void aClientThatReadsLateGetsEveryReplyInOrder() throws Exception {
        int requests = 50_000;
        byte[] pipelined = new byte[requests * CONFIG_GET.length];
        for (int i = 0; i < requests; i++) {
            System.arraycopy(CONFIG_GET, 0, pipelined, i * CONFIG_GET.length, CONFIG_GET.length);
        }
        try (TextClient client = new TextClient(server.port())) {
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> client.send(pipelined));
            await().atMost(Duration.ofSeconds(10)).until(() -> blocked() == 1);

            for (int i = 0; i < requests; i++) {
                assertThat(client.read(config.length())).as("reply %d", i).isEqualTo(config);
            }
            sending.get();
            assertThat(blocked()).isZero();
            assertThat(client.exchange("version\r\n", "VERSION 1.6.22\r\n")).isEqualTo("VERSION 1.6.22\r\n");
        }
    }

    /** Writes pipelined polls until the socket takes no more for a second; fails past {@code limit} bytes. */
    private static long sendUntilTheServerStopsReading(SocketChannel client, long limit) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(CONFIG_GET.length * 3_000);
        while (chunk.remaining() >= CONFIG_GET.length) {
            chunk.put(CONFIG_GET);
        }
        long sent = 0;
        try (Selector selector = Selector.open()) {
            client.register(selector, SelectionKey.OP_WRITE);
            while (selector.select(1_000) > 0) {
                selector.selectedKeys().clear();
                chunk.rewind();
                sent += client.write(chunk);
                assertThat(sent).as("bytes the server read from a client that never reads").isLessThan(limit);
            }
        }
        return sent;
    }

    private double blocked() {
        return registry.get("memgrate.client.connections.blocked").gauge().value();
    }

    private double stalled() {
        var counter = registry.find("memgrate.client.connections.stalled").counter();
        return counter == null ? 0 : counter.count();
    }

    private double answered() {
        var counter = registry.find("memgrate.client.requests").tag("command", "config_get_cluster").tag("outcome", "ok")
                .functionCounter();
        return counter == null ? 0 : counter.count();
    }
}
