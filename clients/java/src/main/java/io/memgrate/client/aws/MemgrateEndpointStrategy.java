package io.memgrate.client.aws;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

import io.memgrate.client.EndpointOutage;
import net.spy.memcached.ConnectionFactory;
import net.spy.memcached.ConnectionObserver;
import net.spy.memcached.DefaultConnectionFactory;
import net.spy.memcached.MemcachedClient;
import net.spy.memcached.MemcachedClientIF;
import net.spy.memcached.MemcachedConnection;
import net.spy.memcached.compat.log.Logger;
import net.spy.memcached.compat.log.LoggerFactory;
import net.spy.memcached.config.ConfigEndpointSelectionStrategy;
import net.spy.memcached.config.NodeEndPoint;

/**
 * Polls the configuration endpoint the client was given (Memgrate), over a connection of its own that never joins the
 * cache nodes. While Memgrate is unreachable the client keeps its node list; its poller retries on its next poll and
 * this connection reconnects by itself. The outage is logged once when the connection is lost and once when it is back.
 * The client's data connection is one whose poller cannot miss that a change was applied ({@link
 * ChangeAwaitingConnection}). Nothing here blocks: the client's poller thread waits, its I/O threads never do.
 */
final class MemgrateEndpointStrategy implements ConfigEndpointSelectionStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(MemgrateEndpointStrategy.class);

    private final EndpointOutage outage = new EndpointOutage();
    private volatile MemcachedConnection configConnection;

    @Override
    public NodeEndPoint getConfigEndpoint(MemcachedClientIF client) {
        return ((MemcachedClient) client).getConfigurationNode();
    }

    /**
     * Called once, with the configuration endpoint, when the client starts in dynamic mode. Returns the client's data
     * connection: it starts on the endpoint too, and the first configuration replaces its nodes.
     */
    @Override
    public MemcachedConnection setupMemcachedConnection(ConnectionFactory factory, List<InetSocketAddress> endpoint)
            throws IOException {
        MemcachedConnection toMemgrate = TextPollConnection.to(factory, endpoint);
        toMemgrate.addObserver(new OutageLog());
        configConnection = toMemgrate;
        if (makesItsOwnConnection(factory)) {
            LOG.warn("%s overrides createConnection: its connection is used as it is, so after applying a change the"
                    + " client can stop polling Memgrate for up to 50 s (MemcachedConnection.waitForConfigChangeApplied)"
                    + " and follow the next change that late", factory.getClass().getName());
            return factory.createConnection(endpoint);
        }
        return new ChangeAwaitingConnection(factory, endpoint);
    }

    /** Whether the factory builds its connection otherwise than the client's own factories do. */
    static boolean makesItsOwnConnection(ConnectionFactory factory) {
        try {
            return factory.getClass().getMethod("createConnection", List.class)
                    .getDeclaringClass() != DefaultConnectionFactory.class;
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("a ConnectionFactory without createConnection(List)", e);
        }
    }

    @Override
    public void shutdownConfigConnection() throws IOException {
        configConnection.shutdown();
    }

    @Override
    public MemcachedConnection getConfigConnection() {
        return configConnection;
    }

    private final class OutageLog implements ConnectionObserver {

        @Override
        public void connectionLost(SocketAddress memgrate) {
            if (outage.failed()) {
                LOG.warn("Memgrate at %s is unreachable: keeping the current cache nodes and asking again at each poll"
                        + " (logged once per outage)", memgrate);
            }
        }

        @Override
        public void connectionEstablished(SocketAddress memgrate, int reconnectCount) {
            long downMillis = outage.answered();
            if (downMillis >= 0) {
                LOG.info("Memgrate at %s is reachable again after %d ms", memgrate, downMillis);
            }
        }
    }
}
