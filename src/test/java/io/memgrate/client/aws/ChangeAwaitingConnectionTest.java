package io.memgrate.client.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.memgrate.support.FreePorts;
import net.spy.memcached.ClientMode;
import net.spy.memcached.DefaultConnectionFactory;
import net.spy.memcached.MemcachedNode;
import net.spy.memcached.config.ClusterConfiguration;
import net.spy.memcached.config.NodeEndPoint;

/**
 * The lost wakeup, made certain: the I/O thread applies the change before the poller starts waiting, so its signal
 * is gone. The client's own connection then waits its full 50 s; this one sees the change applied and returns.
 * Nothing listens on the ports: the connection only tries to connect.
 */
class ChangeAwaitingConnectionTest {

    /** The client's default poll, one minute, so the wait's bound is the client's 50 s. */
    private static final long POLL_MILLIS = 60_000;

    @Test
    void aChangeAppliedBeforeThePollerWaitsEndsTheWaitAtOnce() throws IOException {
        ChangeAwaitingConnection connection = connection();
        try {
            List<NodeEndPoint> nodes = List.of(new NodeEndPoint("node-1.test", "127.0.0.1", FreePorts.next()),
                    new NodeEndPoint("node-2.test", "127.0.0.1", FreePorts.next()));
            connection.notifyUpdate(new ClusterConfiguration(2, nodes));
            await().atMost(Duration.ofSeconds(10)).until(() -> connection.getLocator().getAll().size() == 2
                    && connection.getLocator().getAll().stream().map(MemcachedNode::getNodeEndPoint)
                            .allMatch(nodes::contains));

            assertTimeoutPreemptively(Duration.ofSeconds(10), connection::waitForConfigChangeApplied,
                    "the signal was given before the wait, which must not wait for another");
        } finally {
            connection.shutdown();
        }
        assertThat(connection.isShutDown()).isTrue();
    }

    @Test
    void aPollerWaitingWhenTheClientShutsDownIsReleased() throws Exception {
        ChangeAwaitingConnection connection = connection();
        connection.shutdown();
        // a change told after shutdown is never applied: only the shutdown can end the wait
        connection.notifyUpdate(new ClusterConfiguration(2,
                List.of(new NodeEndPoint("node-1.test", "127.0.0.1", FreePorts.next()))));
        assertTimeoutPreemptively(Duration.ofSeconds(10), connection::waitForConfigChangeApplied);
    }

    private static ChangeAwaitingConnection connection() throws IOException {
        DefaultConnectionFactory factory = new DefaultConnectionFactory(ClientMode.Dynamic) {
            @Override
            public long getDynamicModePollingInterval() {
                return POLL_MILLIS;
            }
        };
        return new ChangeAwaitingConnection(factory, List.of(new InetSocketAddress("127.0.0.1", FreePorts.next())));
    }
}
