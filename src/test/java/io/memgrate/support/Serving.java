package io.memgrate.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import io.memgrate.server.ConfigEndpointServer;

/** Waiting, with a timeout, until Memgrate answers {@code config get cluster} as a test expects. */
public final class Serving {

    /** How long a test waits for Memgrate to serve what its clusters serve (they are polled every 100 ms). */
    public static final Duration WAIT = Duration.ofSeconds(10);

    private Serving() {
    }

    /** Waits at most {@link #WAIT} until a new connection to {@code port} gets exactly {@code expected}. */
    public static void awaitServed(int port, String expected) {
        awaitServed(port, expected, WAIT);
    }

    /** Waits at most {@code atMost} until a new connection to {@code port} gets exactly {@code expected}. */
    public static void awaitServed(int port, String expected, Duration atMost) {
        await("config get cluster on port " + port).atMost(atMost).pollInterval(Duration.ofMillis(50))
                .ignoreExceptions().untilAsserted(() -> {
                    try (TextClient client = new TextClient(port)) {
                        assertThat(client.configGet()).isEqualTo(expected);
                    }
                });
    }

    /** Waits until {@code config get cluster} is answered with {@code config} and no client connection is left open. */
    public static void awaitServedWithNoConnectionOpen(ConfigEndpointServer server, String config) {
        awaitServed(server.port(), config);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.openConnections() == 0);
    }
}
