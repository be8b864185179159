package io.memgrate.client.aws;

import net.spy.memcached.config.ConfigEndpointSelectionStrategy;
import net.spy.memcached.config.ConfigEndpointSelectionStrategyFactory;

/**
 * Makes the AWS ElastiCache Cluster Client for Java (1.2.x) keep polling Memgrate. Its default strategy sends every
 * poll after the first to one of its cache nodes, which answers with its own cluster's list: behind Memgrate the client
 * ends up on one cluster. Use it in dynamic mode:
 *
 * <pre>
 * new MemcachedClient(new ConnectionFactoryBuilder().setClientMode(ClientMode.Dynamic)
 *         .setConfigEndpointSelectionStrategyFactory(new MemgrateEndpointStrategyFactory()).build(),
 *         Collections.singletonList(new InetSocketAddress("memgrate.example", 11211)));
 * </pre>
 *
 * Each client gets a strategy of its own, with one connection to Memgrate beside its data connection.
 */
public final class MemgrateEndpointStrategyFactory implements ConfigEndpointSelectionStrategyFactory {

    @Override
    public ConfigEndpointSelectionStrategy create() {
        return new MemgrateEndpointStrategy();
    }
}
