package io.memgrate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.Serving;
import io.memgrate.support.TestClusters;
import io.memgrate.support.TextClient;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** On shutdown the listener stops taking clients and open connections finish what they are answering. */
@QuarkusTest
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class ShutdownDrainTest {

    @Inject
    ConfigEndpointServer server;

    @InjectTestClusters
    TestClusters clusters;

    @Test
    void openConnectionsFinishTheirRequestThenClose() throws Exception {
        String config = clusters.mergedReply();
        Serving.awaitServedWithNoConnectionOpen(server, config);
        String secondaryStats = TextClient.stats(clusters.secondary().port(), null);

        try (TextClient idle = new TextClient(server.port()); TextClient busy = new TextClient(server.port());
                TextClient active = new TextClient(server.port())) {
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
            assertThat(idle.closedByServer()).as("an idle connection is closed at once").isTrue();
            // a client that polled within the last second is mid-conversation: what it sends before its connection
            // closes is answered, then the connection closes
            assertThat(active.exchange("config get cluster\r\nversion\r\n", config + "VERSION 1.6.22\r\n"))
                    .isEqualTo(config + "VERSION 1.6.22\r\n");
            assertThat(active.closedByServer()).as("closed once its requests are answered").isTrue();
            try (TextClient late = new TextClient(server.port())) {
                assertThat(late.closedByServer()).as("no new client is taken").isTrue();
            }
            assertThat(busy.read(secondaryStats.length())).as("the request in flight is answered").isEqualTo(secondaryStats);
            assertThat(busy.closedByServer()).isTrue();
            shutdown.get(10, TimeUnit.SECONDS);
            assertThat(server.listening()).isFalse();
        }
    }
}
