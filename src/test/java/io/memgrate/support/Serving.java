package io.memgrate.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import io.memgrate.server.ConfigEndpointServer;

/** Waiting, with a timeout, until Memgrate answers {@code config get cluster} as a test expects. */
public final class Serving {

    /** Polls go every 100 ms; cluster-ID lookups back off to 4 s apart; the machine may be busy. */
    private static final Duration WAIT = Duration.ofSeconds(15);

    private Serving() {
    }

    /** Waits until a new connection to {@code port} is answered {@code config get cluster} with exactly {@code expected}. */
    public static void awaitServed(int port, String expected) {
        await("config get cluster on port " + port).atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .ignoreExceptions().untilAsserted(() -> assertThat(TextClient.configGet(port)).isEqualTo(expected));
    }

    /** Waits until {@code config get cluster} is answered with {@code config} and no client connection is left open. */
    public static void awaitServedWithNoConnectionOpen(ConfigEndpointServer server, String config) {
        awaitServed(server.port(), config);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.openConnections() == 0);
    }
}
