package io.memgrate.client.xmemcached;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.code.yanf4j.config.Configuration;
import io.memgrate.client.EndpointOutage;
import net.rubyeye.xmemcached.CommandFactory;
import net.rubyeye.xmemcached.MemcachedSessionComparator;
import net.rubyeye.xmemcached.MemcachedSessionLocator;
import net.rubyeye.xmemcached.autodiscovery.ClusterConfiguration;
import net.rubyeye.xmemcached.aws.AWSElasticCacheClient;
import net.rubyeye.xmemcached.aws.AWSUtils;
import net.rubyeye.xmemcached.buffer.BufferAllocator;
import net.rubyeye.xmemcached.command.TextCommandFactory;
import net.rubyeye.xmemcached.exception.MemcachedException;
import net.rubyeye.xmemcached.impl.KetamaMemcachedSessionLocator;
import net.rubyeye.xmemcached.impl.MemcachedConnector;

/**
 * A drop-in for xmemcached's {@link AWSElasticCacheClient} (2.4.x) that keeps polling Memgrate. The original sends
 * every poll after the first to a cache node, which answers with its own cluster's list and a version below
 * Memgrate's: it never follows a drain or an addition. This one asks the configured endpoint at every poll, over a
 * connection of its own, on the poller's thread.
 * <p>
 * While Memgrate is unreachable the client keeps its node list and asks again at the next poll; the outage is logged
 * once when it begins and once when it ends. As with the original, construction fails when the first answer cannot be
 * had.
 */
public class MemgrateElastiCacheClient extends AWSElasticCacheClient {

    private static final Logger LOG = LoggerFactory.getLogger(MemgrateElastiCacheClient.class);
    private static final String CLUSTER = "cluster";

    /**
     * What the client being constructed on this thread was given: the superclass's constructor makes the connector
     * and runs the first poll before this class's fields are assigned.
     */
    private static final ThreadLocal<Construction> CONSTRUCTING = new ThreadLocal<Construction>();

    // no initialisers: the first poll, inside the superclass's constructor, creates them (see connection())
    private ConfigEndpointConnection memgrate;
    private EndpointOutage outage;

    /**
     * Polls Memgrate every minute, as {@link AWSElasticCacheClient}'s default.
     *
     * @param memgrate Memgrate's address, where the cluster's configuration endpoint was given
     * @throws IOException when the first configuration cannot be had
     */
    public MemgrateElastiCacheClient(InetSocketAddress memgrate) throws IOException {
        this(memgrate, DEFAULT_POLL_CONFIG_INTERVAL_MS);
    }

    /**
     * @param memgrate                 Memgrate's address, where the cluster's configuration endpoint was given
     * @param pollConfigIntervalMillis how often to ask Memgrate for the configuration
     * @throws IOException when the first configuration cannot be had
     */
    public MemgrateElastiCacheClient(InetSocketAddress memgrate, long pollConfigIntervalMillis) throws IOException {
        this(memgrate, pollConfigIntervalMillis, new TextCommandFactory());
    }

    /**
     * @param memgrate                 Memgrate's address, where the cluster's configuration endpoint was given
     * @param pollConfigIntervalMillis how often to ask Memgrate for the configuration
     * @param commandFactory           the protocol spoken to the cache nodes (the polls to Memgrate are text whatever it is)
     * @throws IOException when the first configuration cannot be had
     */
    public MemgrateElastiCacheClient(InetSocketAddress memgrate, long pollConfigIntervalMillis,
            CommandFactory commandFactory) throws IOException {
        this(Collections.singletonList(memgrate), pollConfigIntervalMillis, commandFactory);
    }

    /**
     * Polls Memgrate every minute, as {@link AWSElasticCacheClient}'s default.
     *
     * @param memgrate Memgrate's addresses, the next one asked after a failed poll
     * @throws IOException when the first configuration cannot be had
     */
    public MemgrateElastiCacheClient(List<InetSocketAddress> memgrate) throws IOException {
        this(memgrate, DEFAULT_POLL_CONFIG_INTERVAL_MS);
    }

    /**
     * @param memgrate                 Memgrate's addresses, the next one asked after a failed poll
     * @param pollConfigIntervalMillis how often to ask Memgrate for the configuration
     * @throws IOException when the first configuration cannot be had
     */
    public MemgrateElastiCacheClient(List<InetSocketAddress> memgrate, long pollConfigIntervalMillis)
            throws IOException {
        this(memgrate, pollConfigIntervalMillis, new TextCommandFactory());
    }

    /**
     * @param memgrate                 Memgrate's addresses, the next one asked after a failed poll
     * @param pollConfigIntervalMillis how often to ask Memgrate for the configuration
     * @param commandFactory           the protocol spoken to the cache nodes (the polls to Memgrate are text whatever it is)
     * @throws IOException when the first configuration cannot be had
     */
    public MemgrateElastiCacheClient(List<InetSocketAddress> memgrate, long pollConfigIntervalMillis,
            CommandFactory commandFactory) throws IOException {
        this(memgrate, pollConfigIntervalMillis, commandFactory, null);
    }

    /**
     * With a session locator of your choice, which {@link AWSElasticCacheClient}'s constructors do not take: give a
     * {@link KetamaMemcachedSessionLocator} so that a migration step moves about 1/N of the keys, not nearly all of
     * them as the default array-mod locator does.
     *
     * @param memgrate                 Memgrate's addresses, the next one asked after a failed poll
     * @param pollConfigIntervalMillis how often to ask Memgrate for the configuration
     * @param locator                  how the client picks a node for a key
     * @throws IOException when the first configuration cannot be had
     */
    public MemgrateElastiCacheClient(List<InetSocketAddress> memgrate, long pollConfigIntervalMillis,
            MemcachedSessionLocator locator) throws IOException {
        this(memgrate, pollConfigIntervalMillis, new TextCommandFactory(), locator);
    }

    private MemgrateElastiCacheClient(List<InetSocketAddress> memgrate, long pollConfigIntervalMillis,
            CommandFactory commandFactory, MemcachedSessionLocator locator) throws IOException {
        super(constructing(memgrate, locator), pollConfigIntervalMillis, commandFactory);
    }

    private static List<InetSocketAddress> constructing(List<InetSocketAddress> memgrate,
            MemcachedSessionLocator locator) {
        CONSTRUCTING.set(new Construction(memgrate, locator));
        return memgrate;
    }

    /** The connector is made inside the superclass's constructor; this is where the chosen locator gets in. */
    @Override
    protected MemcachedConnector newConnector(BufferAllocator allocator, Configuration configuration,
            MemcachedSessionLocator defaultLocator, MemcachedSessionComparator comparator,
            CommandFactory commandFactory, int poolSize, int maxQueuedNoReplyOperations) {
        Construction construction = CONSTRUCTING.get();
        MemcachedSessionLocator locator = construction != null && construction.locator != null
                ? construction.locator
                : defaultLocator;
        this.sessionLocator = locator;
        return super.newConnector(allocator, configuration, locator, comparator, commandFactory, poolSize,
                maxQueuedNoReplyOperations);
    }

    /**
     * The poller's call: Memgrate's configuration, or null (keep the current one) while Memgrate cannot be asked.
     */
    @Override
    public ClusterConfiguration getConfig() {
        ConfigEndpointConnection connection = connection();
        try {
            ClusterConfiguration config = getConfig(CLUSTER);
            long downMillis = outage.answered();
            if (downMillis >= 0) {
                LOG.info("Memgrate at {} answers again after {} ms", connection.endpoint(), downMillis);
            }
            return config;
        } catch (MemcachedException e) {
            if (outage.failed()) {
                LOG.warn("Cannot get the configuration from Memgrate: {}. Keeping the current cache nodes and asking"
                        + " again at each poll (logged once per outage)", e.getMessage());
            }
            return null;
        }
    }

    /** Asks Memgrate, never a cache node. */
    @Override
    public ClusterConfiguration getConfig(String key) throws MemcachedException {
        ConfigEndpointConnection connection = connection();
        try {
            return AWSUtils.parseConfiguration(connection.fetch(key));
        } catch (IOException | IllegalArgumentException e) {
            throw new MemcachedException("Memgrate at " + connection.endpoint() + ": " + e, e);
        }
    }

    @Override
    protected void shutdown0() {
        super.shutdown0();
        connection().close();
    }

    /**
     * Created by the first poll, which the superclass's constructor runs on the constructing thread. Should that
     * constructor fail before its poll, the thread keeps the endpoints until its next construction: a few bytes.
     */
    private synchronized ConfigEndpointConnection connection() {
        if (memgrate == null) {
            memgrate = new ConfigEndpointConnection(CONSTRUCTING.get().endpoints, (int) getOpTimeout());
            outage = new EndpointOutage();
            CONSTRUCTING.remove();
        }
        return memgrate;
    }

    private static final class Construction {
        final List<InetSocketAddress> endpoints;
        final MemcachedSessionLocator locator;

        Construction(List<InetSocketAddress> endpoints, MemcachedSessionLocator locator) {
            this.endpoints = endpoints;
            this.locator = locator;
        }
    }
}
