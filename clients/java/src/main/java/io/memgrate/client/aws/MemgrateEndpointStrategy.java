package io.memgrate.client.aws;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

import io.memgrate.client.EndpointOutage;
import net.spy.memcached.ConnectionFactory;
import net.spy.memcached.ConnectionObserver;
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
 * Nothing here blocks: the client's poller thread waits for the answer, its I/O threads never do.
 */
final class MemgrateEndpointStrategy implements ConfigEndpointSelectionStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(MemgrateEndpointStrategy.class);

    private final EndpointOutage outage = new EndpointOutage();
    private volatile MemcachedConnection configConnection;

    @Override
    public NodeEndPoint getConfigEndpoint(MemcachedClientIF client) {
        return ((MemcachedClient) client).getConfigurationNode();
    }

    /** Called once, with the configuration endpoint, when the client starts in dynamic mode. */
    @Override
    public MemcachedConnection setupMemcachedConnection(ConnectionFactory factory, List<InetSocketAddress> endpoint)
            throws IOException {
        MemcachedConnection toMemgrate = factory.createConnection(endpoint);
        toMemgrate.addObserver(new OutageLog());
        configConnection = toMemgrate;
        // the data connection starts on the endpoint too; the first configuration replaces its nodes
        return factory.createConnection(endpoint);
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
