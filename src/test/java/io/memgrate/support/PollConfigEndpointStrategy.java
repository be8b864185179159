package io.memgrate.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

import net.spy.memcached.ConnectionFactory;
import net.spy.memcached.MemcachedClient;
import net.spy.memcached.MemcachedClientIF;
import net.spy.memcached.MemcachedConnection;
import net.spy.memcached.config.ConfigEndpointSelectionStrategy;
import net.spy.memcached.config.NodeEndPoint;

/**
 * Makes the AWS ElastiCache Cluster Client (1.2.x) keep polling the configuration endpoint it was given.
 * Its default strategy sends every poll after the first to one of its cache nodes, through the data connection,
 * which only reaches addresses of the cluster: in front of Memgrate it would never see a change. This one keeps
 * a connection of its own to the configuration endpoint. README shows the same strategy for client owners.
 */
public final class PollConfigEndpointStrategy implements ConfigEndpointSelectionStrategy {

    private MemcachedConnection configConnection;

    @Override
    public NodeEndPoint getConfigEndpoint(MemcachedClientIF client) {
        return ((MemcachedClient) client).getConfigurationNode();
    }

    @Override
    public MemcachedConnection setupMemcachedConnection(ConnectionFactory factory, List<InetSocketAddress> addresses)
            throws IOException {
        configConnection = factory.createConnection(addresses);
        return factory.createConnection(addresses);
    }

    @Override
    public void shutdownConfigConnection() throws IOException {
        configConnection.shutdown();
    }

    @Override
    public MemcachedConnection getConfigConnection() {
        return configConnection;
    }
}
