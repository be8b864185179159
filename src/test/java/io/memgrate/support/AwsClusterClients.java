package io.memgrate.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

import net.spy.memcached.ClientMode;
import net.spy.memcached.ConnectionFactory;
import net.spy.memcached.DefaultConnectionFactory;
import net.spy.memcached.KetamaConnectionFactory;
import net.spy.memcached.MemcachedClient;
import net.spy.memcached.config.ConfigEndpointSelectionStrategyFactory;
import net.spy.memcached.config.NodeEndPoint;

/**
 * The AWS ElastiCache Cluster Client for Java in dynamic mode, pointed at Memgrate on loopback, polling faster than its
 * one minute so tests end quickly.
 */
public final class AwsClusterClients {

    private AwsClusterClients() {
    }

    /**
     * @param strategy how it picks the endpoint of each poll, or null for the client's default (a cache node)
     * @param ketama   consistent hashing (KETAMA_HASH), else its default array-mod hashing
     */
    /** The ports of the nodes the client holds now, sorted. */
    public static List<Integer> ports(MemcachedClient client) {
        return client.getAllNodeEndPoints().stream().map(NodeEndPoint::getPort).sorted().toList();
    }

    public static MemcachedClient dynamic(int memgratePort, long pollMillis, ConfigEndpointSelectionStrategyFactory strategy,
            boolean ketama) throws IOException {
        ConnectionFactory factory = ketama ? new KetamaConnectionFactory(ClientMode.Dynamic,
                KetamaConnectionFactory.DEFAULT_OP_QUEUE_LEN, KetamaConnectionFactory.DEFAULT_READ_BUFFER_SIZE,
                KetamaConnectionFactory.DEFAULT_OP_QUEUE_MAX_BLOCK_TIME) {
            @Override
            public long getDynamicModePollingInterval() {
                return pollMillis;
            }

            @Override
            public ConfigEndpointSelectionStrategyFactory getConfigEndpointSelectionStrategyFactory() {
                return strategy != null ? strategy : super.getConfigEndpointSelectionStrategyFactory();
            }
        } : new DefaultConnectionFactory(ClientMode.Dynamic) {
            @Override
            public long getDynamicModePollingInterval() {
                return pollMillis;
            }

            @Override
            public ConfigEndpointSelectionStrategyFactory getConfigEndpointSelectionStrategyFactory() {
                return strategy != null ? strategy : super.getConfigEndpointSelectionStrategyFactory();
            }
        };
        return new MemcachedClient(factory, List.of(new InetSocketAddress("127.0.0.1", memgratePort)));
    }
}
