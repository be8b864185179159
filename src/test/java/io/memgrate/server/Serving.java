package io.memgrate.server;

import static org.awaitility.Awaitility.await;

import java.time.Duration;

import io.memgrate.support.TextClient;

/** Waiting for Memgrate to serve, for tests that count connections or metrics from a clean start. */
final class Serving {

    private Serving() {
    }

    /** Waits until {@code config get cluster} is answered with {@code config} and no client connection is left open. */
    static void awaitServedWithNoConnectionOpen(ConfigEndpointServer server, String config) {
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            try (TextClient client = new TextClient(server.port())) {
                return client.configGet().equals(config);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> server.openConnections() == 0);
    }
}
