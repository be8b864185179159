package io.memgrate.upstream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.memgrate.cluster.Side;
import io.memgrate.merge.MergeEngine;
import io.memgrate.metrics.MemgrateMetrics;
import io.memgrate.nodestats.NodeStatsBook;
import io.memgrate.settings.MemgrateSettings;
import io.memgrate.transport.OwnEventLoop;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

/**
 * Starts one poller per configured upstream and relays {@code stats} to them; reads every cache node's own
 * {@code stats} into the {@link NodeStatsBook}.
 */
@ApplicationScoped
public class Upstreams {

    private static final Logger LOG = Logger.getLogger(Upstreams.class);

    private final Vertx vertx;
    private final MemgrateSettings settings;
    private final MergeEngine view;
    private final MemgrateMetrics metrics;
    private final NodeStatsBook nodeStats;
    private final List<UpstreamPoller> pollers = new ArrayList<>();
    private NetClient client;
    private StatsRelay statsRelay;
    private NodeStatsPoller nodeStatsPoller;
    /** Where node statistics are read: never the loop that answers the clients. */
    private OwnEventLoop nodeStatsLoop;
    /** TLS from the TLS registry, reloaded without a restart (memgrate.upstream.tls.*). */
    @Inject
    UpstreamTls tls;

    @Inject
    public Upstreams(Vertx vertx, MemgrateSettings settings, MergeEngine view, MemgrateMetrics metrics,
            NodeStatsBook nodeStats) {
        this.metrics = metrics;
        this.nodeStats = nodeStats;
        this.vertx = vertx;
        this.settings = settings;
        this.view = view;
    }

    /** True once every configured upstream has a poller. */
    public synchronized boolean started() {
        return !pollers.isEmpty();
    }

    /**
     * The longest a poll attempt may take: connecting and each reply are bounded by the upstream timeout; the rest
     * bounds an endpoint lookup that hangs.
     */
    Duration attemptDeadline() {
        return settings.upstream().timeout().multipliedBy(2).plusSeconds(1);
    }

    /**
     * How long a poller may go without ending an attempt before it counts as stalled: three intervals with an
     * attempt each, far beyond any slow upstream, since every attempt ends by its deadline.
     */
    public Duration pollerStalledAfter() {
        return settings.refreshInterval().plus(attemptDeadline()).multipliedBy(3);
    }

    /** For each configured side, how long ago its poller last ended an attempt, successful or not. */
    public synchronized Map<Side, Duration> sinceLastPollAttempt() {
        Map<Side, Duration> ages = new EnumMap<>(Side.class);
        pollers.forEach(poller -> ages.put(poller.side(), poller.sinceLastAttempt()));
        return ages;
    }

    /**
     * Starts polling. Called once at start-up with the endpoint source of each configured side, in
     * {@link Side} order (primary first).
     */
    public synchronized void start(Map<Side, EndpointSource> sources) {
        client = tls.reloading(vertx.createNetClient(tls.configure(clientOptions(settings.upstream()))));
        Map<Side, UpstreamConnection> statsConnections = new EnumMap<>(Side.class);
        for (Map.Entry<Side, EndpointSource> entry : new EnumMap<>(sources).entrySet()) {
            Side side = entry.getKey();
            var context = vertx.getOrCreateContext();
            UpstreamConnection connection = new UpstreamConnection(context, client, entry.getValue(),
                    settings.upstream().timeout(), settings.upstream().maxReplyBytes());
            UpstreamPoller poller = new UpstreamPoller(side, context, entry.getValue(), connection, view, metrics,
                    settings.refreshInterval(), attemptDeadline());
            pollers.add(poller);
            statsConnections.put(side, new UpstreamConnection(vertx.getOrCreateContext(), client, entry.getValue(),
                    settings.upstream().timeout(), settings.upstream().maxReplyBytes()));
            LOG.infof("Polling %s upstream %s every %s", side.label(), entry.getValue(), settings.refreshInterval());
            poller.start();
        }
        statsRelay = new StatsRelay(statsConnections, metrics, settings.stats().maxAge().toNanos());
        Duration statsInterval = settings.nodes().statsInterval();
        if (!statsInterval.isZero()) {
            // hundreds of nodes' connections, replies and failures, on a thread the OS preempts for a client's request:
            // on Vert.x's pool they can share the one loop that serves every client connection
            nodeStatsLoop = OwnEventLoop.start(vertx, "memgrate-node-stats");
            nodeStatsPoller = new NodeStatsPoller(nodeStatsLoop.context(), client, view, nodeStats, statsInterval,
                    settings.upstream().timeout(), settings.nodes().maxStatsReplyBytes(), settings.upstream().tls().enabled());
            LOG.infof("Reading stats from every node of both clusters every %s", statsInterval);
            nodeStatsPoller.start();
        }
    }

    /** Connect timeout; {@link UpstreamTls} adds TLS when enabled. */
    static NetClientOptions clientOptions(MemgrateSettings.Upstream upstream) {
        return new NetClientOptions().setConnectTimeout((int) Math.min(Integer.MAX_VALUE, upstream.timeout().toMillis()));
    }

    /**
     * The {@code stats} reply of the primary, or of the secondary when the primary cannot answer, at most
     * {@code memgrate.stats.max-age} old. Fails when no upstream answers.
     */
    public Future<Buffer> stats() {
        StatsRelay relay;
        synchronized (this) {
            relay = statsRelay;
        }
        return relay == null ? Future.failedFuture(new UpstreamException("none", "no upstream configured")) : relay.stats();
    }

    private synchronized List<UpstreamPoller> pollers() {
        return List.copyOf(pollers);
    }

    /** Stops every poller and the stats relay; their connections close. */
    public void stop() {
        pollers().forEach(UpstreamPoller::stop);
        synchronized (this) {
            if (statsRelay != null) {
                statsRelay.stop();
            }
            if (nodeStatsPoller != null) {
                nodeStatsPoller.stop();
                nodeStatsLoop.close();
            }
        }
    }
}
