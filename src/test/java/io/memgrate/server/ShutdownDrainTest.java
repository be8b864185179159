package io.memgrate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.Serving;
import io.memgrate.support.TestClusters;
import io.memgrate.support.TextClient;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * On shutdown open connections finish what they are answering, and a client that connects meanwhile is answered
 * before its connection is closed: no accepted connection is cut off.
 */
@QuarkusTest
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class ShutdownDrainTest {

    private static final Logger LOG = Logger.getLogger(ShutdownDrainTest.class);

    @Inject
    ConfigEndpointServer server;

    @InjectTestClusters
    TestClusters clusters;

    @Test
    void openConnectionsFinishTheirRequestThenClose() throws Exception {
        String config = clusters.mergedReply();
        Serving.awaitServedWithNoConnectionOpen(server, config);
        String secondaryStats = TextClient.stats(clusters.secondary().port(), null);

        int port = server.port();
        try (TextClient idle = new TextClient(port); TextClient busy = new TextClient(port);
                TextClient active = new TextClient(port)) {
            assertThat(active.configGet()).isEqualTo(config);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.openConnections() == 3);
            // the primary stalls, so this stats relay is in flight until it times out and falls back to the secondary
            clusters.primary().endpoint().setSilent(true);
            busy.send("stats\r\n");
            CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> {
                try {
                    server.stop();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> !server.listening());
            // a client that polled within the last second is mid-conversation: what it sends before its connection
            // closes is answered, then the connection closes
            assertThat(active.exchange("config get cluster\r\nversion\r\n", config + "VERSION 1.6.22\r\n"))
                    .isEqualTo(config + "VERSION 1.6.22\r\n");
            assertThat(active.closedByServer()).as("closed once its requests are answered").isTrue();
            try (TextClient late = new TextClient(port)) {
                assertThat(late.configGet()).as("a client that connects while the others drain is answered").isEqualTo(config);
                assertThat(late.closedByServer()).as("then closed").isTrue();
            }
            assertThat(idle.closedByServer()).as("a connection silent since it connected is closed").isTrue();
            assertThat(busy.read(secondaryStats.length())).as("the request in flight is answered").isEqualTo(secondaryStats);
            assertThat(busy.closedByServer()).isTrue();
            shutdown.get(10, TimeUnit.SECONDS);
            assertThat(server.listening()).isFalse();
        }
    }

    /**
     * 20 shutdowns, each while a client keeps connecting and asking through the start of the drain: every connection
     * Memgrate takes is answered in full; a connect attempt may only be refused once the listener is closed.
     */
    @Test
    void aClientConnectingDuringShutdownIsAnsweredOrRefusedNeverCutOff() throws Exception {
        String config = clusters.mergedReply();
        byte[] expected = config.getBytes(StandardCharsets.ISO_8859_1);
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger answeredDuringDrain = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger cutOff = new AtomicInteger();
        for (int round = 0; round < 20; round++) {
            if (!server.listening()) {
                server.start();
            }
            Serving.awaitServedWithNoConnectionOpen(server, config);
            int port = server.port();
            AtomicLong drainStarted = new AtomicLong();
            CompletableFuture<Void> client = CompletableFuture.runAsync(() -> {
                // as a client the Service has not dropped the pod for yet: it keeps connecting through the first
                // 300 ms of the drain (bounded: 2,000 connections at most)
                for (int i = 0; i < 2_000 && (drainStarted.get() == 0
                        || System.nanoTime() - drainStarted.get() < TimeUnit.MILLISECONDS.toNanos(300)); i++) {
                    boolean drainingAtConnect = !server.listening();
                    switch (connectAndAsk(port, expected)) {
                        case ANSWERED -> {
                            answered.incrementAndGet();
                            if (drainingAtConnect) {
                                answeredDuringDrain.incrementAndGet();
                            }
                        }
                        case REFUSED -> refused.incrementAndGet();
                        case CUT_OFF -> cutOff.incrementAndGet();
                    }
                }
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> answered.get() > 0);
            drainStarted.set(System.nanoTime());
            server.stop();
            client.get(30, TimeUnit.SECONDS);
        }
        LOG.infof("20 shutdowns: %d answered (%d connected during the drain), %d refused, %d cut off", answered.get(),
                answeredDuringDrain.get(), refused.get(), cutOff.get());
        assertThat(cutOff).as("connections taken and then cut off, of %d answered (%d while draining) and %d refused",
                answered.get(), answeredDuringDrain.get(), refused.get()).hasValue(0);
        assertThat(answeredDuringDrain).as("clients that connected during the drain").hasPositiveValue();
    }

    private enum Outcome { ANSWERED, REFUSED, CUT_OFF }

    private static Outcome connectAndAsk(int port, byte[] expected) {
        try (Socket socket = new Socket()) {
            try {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            } catch (ConnectException e) {
                return Outcome.REFUSED;
            }
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("config get cluster\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            byte[] reply = in.readNBytes(expected.length);
            return Arrays.equals(reply, expected) ? Outcome.ANSWERED : Outcome.CUT_OFF;
        } catch (IOException e) {
            return Outcome.CUT_OFF;
        }
    }
}
