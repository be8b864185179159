package io.memgrate.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import net.spy.memcached.BinaryConnectionFactory;
import net.spy.memcached.ClientMode;
import net.spy.memcached.ConnectionFactory;
import net.spy.memcached.DefaultConnectionFactory;
import net.spy.memcached.DefaultHashAlgorithm;
import net.spy.memcached.KetamaNodeLocator;
import net.spy.memcached.MemcachedClient;
import net.spy.memcached.MemcachedNode;
import net.spy.memcached.NodeLocator;
import net.spy.memcached.config.ConfigEndpointSelectionStrategyFactory;
import net.spy.memcached.config.NodeEndPoint;

/**
 * The AWS ElastiCache Cluster Client for Java in dynamic mode, pointed at Memgrate on loopback, polling faster than its
 * one minute so tests end quickly.
 */
public final class AwsClusterClients {

    /** The memcached protocol the client speaks to its cache nodes (its configuration polls follow it). */
    public enum Protocol {
        TEXT, BINARY
    }

    /**
     * How long a client from {@link #dynamic} with Memgrate's adapter may take to use a change Memgrate serves: its
     * poller makes its first poll 5 s after the client starts, then follows each change within two polls (the adapter's
     * wait cannot miss that a change was applied, EveryChangeFollowedTest), plus room for a loaded, shared machine.
     * The client's own wait could stop its poller for 50 s after a change.
     */
    public static Duration adapterFollowsAChange(long pollMillis) {
        return Duration.ofSeconds(5).plusMillis(2 * pollMillis).plusSeconds(4);
    }

    private AwsClusterClients() {
    }

    /** The ports of the nodes the client holds now, sorted. */
    public static List<Integer> ports(MemcachedClient client) {
        return client.getAllNodeEndPoints().stream().map(NodeEndPoint::getPort).sorted().toList();
    }

    /** A text-protocol client, as {@link #dynamic(int, long, ConfigEndpointSelectionStrategyFactory, Protocol, boolean)}. */
    public static MemcachedClient dynamic(int memgratePort, long pollMillis, ConfigEndpointSelectionStrategyFactory strategy,
            boolean ketama) throws IOException {
        return dynamic(memgratePort, pollMillis, strategy, Protocol.TEXT, ketama);
    }

    /**
     * @param strategy how it picks the endpoint of each poll, or null for the client's default (a cache node)
     * @param ketama   consistent hashing (KETAMA_HASH), else its default array-mod hashing
     */
    public static MemcachedClient dynamic(int memgratePort, long pollMillis, ConfigEndpointSelectionStrategyFactory strategy,
            Protocol protocol, boolean ketama) throws IOException {
        ConnectionFactory factory = protocol == Protocol.BINARY ? new BinaryConnectionFactory(ClientMode.Dynamic) {
            @Override
            public long getDynamicModePollingInterval() {
                return pollMillis;
            }

            @Override
            public ConfigEndpointSelectionStrategyFactory getConfigEndpointSelectionStrategyFactory() {
                return strategy != null ? strategy : super.getConfigEndpointSelectionStrategyFactory();
            }

            @Override
            public NodeLocator createLocator(List<MemcachedNode> nodes) {
                return ketama ? new KetamaNodeLocator(nodes, DefaultHashAlgorithm.KETAMA_HASH) : super.createLocator(nodes);
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

            @Override
            public NodeLocator createLocator(List<MemcachedNode> nodes) {
                return ketama ? new KetamaNodeLocator(nodes, DefaultHashAlgorithm.KETAMA_HASH) : super.createLocator(nodes);
            }
        };
        return new MemcachedClient(factory, List.of(new InetSocketAddress("127.0.0.1", memgratePort)));
    }
}
