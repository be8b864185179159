package io.memgrate.emulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.cluster.Node;
import io.memgrate.cluster.Side;
import io.memgrate.cluster.Topology;
import io.memgrate.protocol.TopologyPayload;
import io.memgrate.settings.MemgrateSettings;
import io.memgrate.upstream.StandInClusters;
import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The embedded default: two emulated clusters ("old" and "new") that dev mode points primary and secondary at
 * when no endpoint is configured, so Memgrate answers with a merged configuration on a machine with no cloud account.
 * Each listed node really listens on its address: it stores keys (a memcached process, or {@link InProcessMemcached}
 * where memcached is not installed) and answers {@code config get cluster} with its own cluster's configuration.
 */
@ApplicationScoped
@IfBuildProfile(anyOf = { "dev", "test" })
public class DevClusters implements StandInClusters {

    private static final Logger LOG = Logger.getLogger(DevClusters.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final String LOOPBACK = "127.0.0.1";

    /** The two emulated clusters. */
    public enum Cluster {
        OLD("memgrate.dev-clusters.old-nodes"), NEW("memgrate.dev-clusters.new-nodes");

        private final String nodesProperty;

        Cluster(String nodesProperty) {
            this.nodesProperty = nodesProperty;
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Vertx vertx;
    private final MemgrateSettings.Dev settings;
    private final Map<Cluster, EmulatedConfigEndpoint> clusters = new EnumMap<>(Cluster.class);
    /** Every node started, per cluster: node lists may name only these. */
    private final Map<Cluster, List<Node>> startedNodes = new EnumMap<>(Cluster.class);
    private final List<NodeFront> fronts = new ArrayList<>();
    private final List<InProcessMemcached> inProcessStores = new ArrayList<>();
    private final List<MemcachedDaemon> daemons = new ArrayList<>();

    @Inject
    public DevClusters(Vertx vertx, MemgrateSettings settings) {
        this(vertx, settings.devClusters());
    }

    DevClusters(Vertx vertx, MemgrateSettings.Dev settings) {
        this.vertx = vertx;
        this.settings = settings;
    }

    @Override
    public boolean enabled() {
        return settings.enabled();
    }

    /** True once {@link #start()} has run: the emulated clusters are being served. */
    public synchronized boolean running() {
        return !clusters.isEmpty();
    }

    /**
     * Starts both emulated configuration endpoints on free loopback ports and every node on its listed port: the old
     * cluster's endpoint for the primary, the new one's for the secondary. Blocks: call at start-up only.
     */
    @Override
    public synchronized Map<Side, HostAndPort> start() {
        try {
            return startAll();
        } catch (RuntimeException e) {
            stop(); // free what did start, so a dev-mode restart after the fix can listen again
            throw e;
        }
    }

    private Map<Side, HostAndPort> startAll() {
        Optional<Path> memcached = memcachedBinary();
        for (Cluster cluster : Cluster.values()) {
            Topology config = configuredNodes(cluster);
            EmulatedConfigEndpoint endpoint = new EmulatedConfigEndpoint(vertx, settings.engineVersion(), config);
            clusters.put(cluster, endpoint);
            startedNodes.put(cluster, config.nodes());
            for (Node node : config.nodes()) {
                startNode(cluster, node, endpoint, memcached);
            }
        }
        HostAndPort old = listen(clusters.get(Cluster.OLD));
        HostAndPort young = listen(clusters.get(Cluster.NEW));
        LOG.infof("No endpoints configured: serving emulated clusters, old at %s, new at %s; their nodes store keys in %s",
                old, young, memcached.map(binary -> "memcached processes (" + binary + ")").orElse("Memgrate's memory"));
        return Map.of(Side.PRIMARY, old, Side.SECONDARY, young);
    }

    private Optional<Path> memcachedBinary() {
        return switch (settings.store()) {
            case IN_PROCESS -> Optional.empty();
            case AUTO -> MemcachedDaemon.findOnPath();
            case MEMCACHED -> Optional.of(MemcachedDaemon.findOnPath().orElseThrow(() -> new ConfigurationException(
                    "memgrate.dev-clusters.store is memcached but no memcached is on the PATH: install it"
                            + " (apt-get install -y memcached) or set memgrate.dev-clusters.store=auto")));
        };
    }

    private Topology configuredNodes(Cluster cluster) {
        String nodes = cluster == Cluster.OLD ? settings.oldNodes() : settings.newNodes();
        try {
            return new Topology(1, parseNodes(nodes));
        } catch (RuntimeException e) {
            throw new ConfigurationException(cluster.nodesProperty + " is not a list of host|ip|port: " + e.getMessage());
        }
    }

    /** Parses a space-separated node list in the wire form. */
    public static List<Node> parseNodes(String nodes) {
        String trimmed = nodes.trim();
        return trimmed.isEmpty() ? List.of() : Arrays.stream(trimmed.split(" +")).map(TopologyPayload::parseNode).toList();
    }

    /** The node's front on its listed address, relaying to its own store on a hidden loopback port. */
    private void startNode(Cluster cluster, Node node, EmulatedConfigEndpoint endpoint, Optional<Path> memcached) {
        String address = node.ip().isEmpty() ? LOOPBACK : node.ip();
        NodeFront front = new NodeFront(vertx, endpoint::config, new HostAndPort(LOOPBACK, storePort(memcached)));
        try {
            await(front.start(address, node.port()));
        } catch (IllegalStateException e) {
            throw new ConfigurationException("dev node " + node.host() + " cannot listen on " + address + ":" + node.port()
                    + " (" + e.getCause().getMessage() + "): free the port or give the node another one in "
                    + cluster.nodesProperty);
        }
        fronts.add(front);
    }

    private int storePort(Optional<Path> memcached) {
        if (memcached.isPresent()) {
            MemcachedDaemon daemon = MemcachedDaemon.start(memcached.get(), freeLoopbackPort(), settings.nodeMemoryMb());
            daemons.add(daemon);
            return daemon.port();
        }
        InProcessMemcached store = new InProcessMemcached(vertx, settings.engineVersion(), settings.nodeMemoryMb() * 1024L * 1024);
        inProcessStores.add(store);
        return await(store.start(LOOPBACK, 0));
    }

    private static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port for a dev node's memcached", e);
        }
    }

    private static HostAndPort listen(EmulatedConfigEndpoint endpoint) {
        try {
            return new HostAndPort(LOOPBACK, await(endpoint.start(LOOPBACK, 0)));
        } catch (IllegalStateException e) {
            throw new IllegalStateException("cannot start an emulated configuration endpoint: " + e.getCause(), e);
        }
    }

    /** The cluster's configuration as its endpoint and nodes serve it now. */
    public synchronized Topology config(Cluster cluster) {
        return endpoint(cluster).config();
    }

    /**
     * Replaces the cluster's node list (the version rises by one, as ElastiCache's does). Only nodes started with the
     * cluster may be listed, so every listed node stores keys.
     */
    public synchronized Topology setNodes(Cluster cluster, List<Node> nodes) {
        EmulatedConfigEndpoint endpoint = endpoint(cluster);
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("a cluster needs at least one node");
        }
        List<Node> started = startedNodes.get(cluster);
        for (Node node : nodes) {
            if (!started.contains(node)) {
                throw new IllegalArgumentException(node + " is not a node of the " + cluster.label() + " cluster; its nodes are "
                        + String.join(" ", started.stream().map(Node::toString).toList()));
            }
        }
        endpoint.setNodes(nodes);
        return endpoint.config();
    }

    /** Removes the node named {@code host} from the cluster's node list, as draining it would. */
    public synchronized Topology removeNode(Cluster cluster, String host) {
        List<Node> remaining = new ArrayList<>(config(cluster).nodes());
        if (!remaining.removeIf(node -> node.host().equals(host))) {
            throw new NoSuchElementException("the " + cluster.label() + " cluster lists no node " + host);
        }
        if (remaining.isEmpty()) {
            throw new IllegalArgumentException(host + " is the last node of the " + cluster.label()
                    + " cluster; a cluster needs at least one node");
        }
        return setNodes(cluster, remaining);
    }

    private EmulatedConfigEndpoint endpoint(Cluster cluster) {
        EmulatedConfigEndpoint endpoint = clusters.get(cluster);
        if (endpoint == null) {
            throw new IllegalStateException("the dev clusters are not running");
        }
        return endpoint;
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e.getCause() == null ? e : e.getCause());
        }
    }

    /** Frees every port and stops every process, so a dev-mode restart can listen on the same ports again. */
    @PreDestroy
    synchronized void stop() {
        List<Future<Void>> closing = new ArrayList<>();
        fronts.forEach(front -> closing.add(front.stop()));
        inProcessStores.forEach(store -> closing.add(store.stop()));
        clusters.values().forEach(endpoint -> closing.add(endpoint.stop()));
        try {
            await(Future.join(closing));
        } catch (IllegalStateException e) {
            LOG.warnf("dev clusters did not stop cleanly: %s", e.getCause());
        }
        daemons.forEach(MemcachedDaemon::close);
        fronts.clear();
        inProcessStores.clear();
        daemons.clear();
        clusters.clear();
        startedNodes.clear();
    }
}
