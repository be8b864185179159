package io.memgrate.server;

import static io.memgrate.support.ExpectedReplies.configReply;
import static io.memgrate.support.ExpectedReplies.mergedPayload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.memgrate.support.TestClusters;
import io.memgrate.support.TextClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(IdleTimeoutTest.ShortIdleTimeout.class)
@QuarkusTestResource(value = TestClusters.class, restrictToAnnotatedClass = true)
class IdleTimeoutTest {

    public static class ShortIdleTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("memgrate.client.idle-timeout", "1s");
        }
    }

    @Inject
    ConfigEndpointServer server;

    @Test
    void idleConnectionIsClosedAfterTheTimeout() {
        String config = configReply(mergedPayload(TestClusters.current()));
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            try (TextClient client = new TextClient(server.port())) {
                return client.exchange("config get cluster\r\n", config).equals(config);
            }
        });
        try (TextClient client = new TextClient(server.port())) {
            // from before the request: the server's idle timer starts at its reply, after this, so the bound holds
            // however late this thread runs after the reply arrives
            long started = System.nanoTime();
            assertThat(client.exchange("config get cluster\r\n", config)).isEqualTo(config);
            assertThat(client.closedByServer()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        }
    }

}
