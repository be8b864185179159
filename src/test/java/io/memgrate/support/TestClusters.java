package io.memgrate.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.cluster.Node;
import io.memgrate.cluster.Topology;
import io.memgrate.emulator.NodeFront;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Two test clusters of real memcached nodes ("old" with two nodes, "new" with two nodes), each behind an emulated
 * configuration endpoint, and Memgrate pointed at them: old = primary, new = secondary. A test class gets them in a
 * field annotated {@link InjectTestClusters}. Classes that declare them alike (same init args, same profile) with the
 * default scope share one application: each {@link #restore()}s them before its tests. A class that needs a fresh
 * start, or leaves the application or the clusters unusable, declares {@code RESTRICTED_TO_CLASS}.
 */
public class TestClusters implements QuarkusTestResourceLifecycleManager {

    public static final String PRIMARY_ENGINE = "1.6.22";
    public static final String SECONDARY_ENGINE = "1.6.17";

    private Vertx vertx;
    private final List<MemcachedProcess> oldNodes = new ArrayList<>();
    private final List<MemcachedProcess> newNodes = new ArrayList<>();
    private Cluster primary;
    private Cluster secondary;
    private TestCertificates.Issued certificate;
    private final List<Cluster> extra = new ArrayList<>();

    /** One emulated configuration endpoint and the configuration it started with. */
    public static final class Cluster {
        private final FaultyConfigEndpoint endpoint;
        private final Topology initial;
        private final int port;
        private boolean running = true;

        Cluster(FaultyConfigEndpoint endpoint, int port) {
            this.endpoint = endpoint;
            this.initial = endpoint.config();
            this.port = port;
        }

        public FaultyConfigEndpoint endpoint() {
            return endpoint;
        }

        public int port() {
            return port;
        }

        public synchronized void stop() {
            await(endpoint.stop());
            running = false;
        }

        public synchronized void start() {
            if (!running) {
                await(endpoint.start("127.0.0.1", port));
                running = true;
            }
        }

        /** Back to serving its initial nodes (at a higher version if they were changed), running and well-behaved. */
        public synchronized void restore() {
            start();
            endpoint.clearFaults();
            if (!endpoint.config().nodes().equals(initial.nodes())) {
                endpoint.setNodes(initial.nodes());
            }
        }
    }

    /** Init arg: start with the secondary's configuration endpoint down, to test the time before the first merge. */
    public static final String SECONDARY_DOWN = "secondary-down";

    /** Init arg: configure Memgrate by cluster IDs, resolved through an emulated ElastiCache API. */
    public static final String BY_CLUSTER_ID = "by-cluster-id";
    public static final String PRIMARY_CLUSTER_ID = "orders-cache-old";
    public static final String SECONDARY_CLUSTER_ID = "orders-cache-new";

    /** Init arg, with {@link #BY_CLUSTER_ID}: the primary cluster does not exist yet when Memgrate starts. */
    public static final String PRIMARY_NOT_CREATED = "primary-not-created";

    /** Init arg: upstreams and the client listener speak TLS, with a CA and certificates made for the test. */
    public static final String TLS = "tls";
    /**
     * Init arg: each memcached node behind a front that answers {@code config get cluster} with its own cluster's
     * configuration, as every ElastiCache node does, and relays everything else (plain memcached when absent).
     */
    public static final String ELASTICACHE_NODES = "elasticache-nodes";
    /**
     * Init arg: every node listed with the host name {@code localhost}, for clients that connect by host name
     * (xmemcached); otherwise nodes are listed as {@code old-1.test}, ..., which do not resolve, with IP 127.0.0.1.
     */
    public static final String RESOLVABLE_HOSTS = "resolvable-hosts";
    /** Init arg: the domain of the nodes' host names, {@code old-1.<domain>}, ... ({@code test} when absent). */
    public static final String DOMAIN = "domain";
    /** Init arg: memcached nodes in each cluster (2 when absent). */
    public static final String NODES_PER_CLUSTER = "nodes-per-cluster";
    /** Init arg: the migration plan Memgrate starts with, written to a file it watches (no plan when absent). */
    public static final String PLAN = "plan";
    /** Init arg: {@code memgrate.nodes.stats-interval} (the default, 30s, when absent). */
    public static final String STATS_INTERVAL = "stats-interval";

    private boolean secondaryDown;
    private boolean byClusterId;
    private boolean tls;
    private boolean primaryNotCreated;
    private int nodesPerCluster;
    private boolean elastiCacheNodes;
    private boolean resolvableHosts;
    private String domain;
    private final List<NodeFront> fronts = new ArrayList<>();
    private final List<MemcachedProcess> addedNodes = new ArrayList<>();
    private String initialPlan;
    private String statsInterval;
    private java.nio.file.Path planFile;
    private TestCertificates.Issued ca;
    private ElastiCacheApi api;

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(this, new TestInjector.AnnotatedAndMatchesType(InjectTestClusters.class, TestClusters.class));
    }

    @Override
    public void init(Map<String, String> initArgs) {
        secondaryDown = Boolean.parseBoolean(initArgs.getOrDefault(SECONDARY_DOWN, "false"));
        byClusterId = Boolean.parseBoolean(initArgs.getOrDefault(BY_CLUSTER_ID, "false"));
        tls = Boolean.parseBoolean(initArgs.getOrDefault(TLS, "false"));
        primaryNotCreated = Boolean.parseBoolean(initArgs.getOrDefault(PRIMARY_NOT_CREATED, "false"));
        nodesPerCluster = Integer.parseInt(initArgs.getOrDefault(NODES_PER_CLUSTER, "2"));
        elastiCacheNodes = Boolean.parseBoolean(initArgs.getOrDefault(ELASTICACHE_NODES, "true"));
        resolvableHosts = Boolean.parseBoolean(initArgs.getOrDefault(RESOLVABLE_HOSTS, "false"));
        domain = initArgs.getOrDefault(DOMAIN, "test");
        initialPlan = initArgs.get(PLAN);
        statsInterval = initArgs.get(STATS_INTERVAL);
    }

    @Override
    public Map<String, String> start() {
        vertx = Vertx.vertx();
        TestCertificates.Issued certificate = null;
        if (tls) {
            try {
                java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("memgrate-tls");
                ca = TestCertificates.ca(dir);
                certificate = TestCertificates.localhost(ca, dir, "localhost");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        this.certificate = certificate;
        for (int i = 0; i < nodesPerCluster; i++) {
            oldNodes.add(MemcachedProcess.start());
            newNodes.add(MemcachedProcess.start());
        }
        primary = cluster("old", 7, oldNodes, PRIMARY_ENGINE);
        secondary = cluster("new", 3, newNodes, SECONDARY_ENGINE);
        if (secondaryDown) {
            secondary.stop();
        }
        Map<String, String> config = new HashMap<>(Map.of(
                "memgrate.listen.host", "127.0.0.1",
                "memgrate.listen.port", "0",
                "memgrate.refresh-interval", "100ms",
                "memgrate.upstream.timeout", "500ms",
                // every stats request reaches the upstream, so tests see each upstream's current reply
                "memgrate.stats.max-age", "0s"));
        if (byClusterId) {
            api = new ElastiCacheApi();
            if (primaryNotCreated) {
                api.notFound(PRIMARY_CLUSTER_ID);
            } else {
                api.memcachedCluster(PRIMARY_CLUSTER_ID, "available", "127.0.0.1", primary.port());
            }
            api.memcachedCluster(SECONDARY_CLUSTER_ID, "available", "127.0.0.1", secondary.port());
            config.putAll(Map.of(
                    "memgrate.primary.cluster-id", PRIMARY_CLUSTER_ID,
                    "memgrate.secondary.cluster-id", SECONDARY_CLUSTER_ID,
                    "memgrate.aws.region", "us-east-1",
                    "memgrate.aws.endpoint-override", api.url(),
                    "memgrate.aws.resolve-interval", "1s"));
        } else {
            // TLS verifies the host name, so name the endpoints as their certificate does
            String host = tls ? "localhost" : "127.0.0.1";
            config.put("memgrate.primary.endpoint", host + ":" + primary.port());
            config.put("memgrate.secondary.endpoint", host + ":" + secondary.port());
        }
        if (statsInterval != null) {
            config.put("memgrate.nodes.stats-interval", statsInterval);
        }
        if (initialPlan != null) {
            try {
                planFile = java.nio.file.Files.createTempDirectory("memgrate-plan").resolve("plan.yaml");
                java.nio.file.Files.writeString(planFile, initialPlan);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            config.putAll(Map.of("memgrate.migration.plan-file", planFile.toString(),
                    "memgrate.migration.check-interval", "50ms"));
        }
        if (tls) {
            config.putAll(Map.of(
                    "memgrate.upstream.tls.enabled", "true",
                    "memgrate.upstream.tls.ca-file", ca.certificateFile().toString(),
                    "memgrate.tls.enabled", "true",
                    "memgrate.tls.certificate-file", certificate.certificateFile().toString(),
                    "memgrate.tls.key-file", certificate.keyFile().toString()));
        }
        return config;
    }

    /** The plan file Memgrate watches, when started with a plan; tests write the next plan into it. */
    public java.nio.file.Path planFile() {
        return planFile;
    }

    /** The test CA, when TLS is on. */
    public TestCertificates.Issued ca() {
        return ca;
    }

    /** The emulated ElastiCache API, when configured by cluster ID. */
    public ElastiCacheApi api() {
        return api;
    }

    /** Starts another emulated configuration endpoint, as a recreated cluster would have, serving {@code config}. */
    public Cluster newEndpoint(String engine, Topology config) {
        FaultyConfigEndpoint endpoint = new FaultyConfigEndpoint(vertx, engine, config);
        Cluster cluster = new Cluster(endpoint, await(endpoint.start("127.0.0.1", 0)));
        extra.add(cluster);
        return cluster;
    }

    private Cluster cluster(String name, long version, List<MemcachedProcess> nodes, String engine) {
        AtomicReference<FaultyConfigEndpoint> configured = new AtomicReference<>();
        List<Node> list = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            list.add(new Node(host(name + "-" + (i + 1) + "." + domain), "127.0.0.1", nodePort(nodes.get(i), configured::get)));
        }
        FaultyConfigEndpoint endpoint = new FaultyConfigEndpoint(vertx, engine, new Topology(version, list));
        configured.set(endpoint);
        if (certificate != null) {
            endpoint.useTls(certificate.certificateFile().toString(), certificate.keyFile().toString());
        }
        int port = await(endpoint.start("127.0.0.1", 0));
        return new Cluster(endpoint, port);
    }

    private String host(String name) {
        return resolvableHosts ? "localhost" : name;
    }

    /** The port clients reach a node at: memcached's own, or its ElastiCache-like front's. */
    private int nodePort(MemcachedProcess node, Supplier<FaultyConfigEndpoint> cluster) {
        if (!elastiCacheNodes) {
            return node.port();
        }
        NodeFront front = new NodeFront(vertx, () -> cluster.get().config(), new HostAndPort("127.0.0.1", node.port()));
        fronts.add(front);
        return await(front.start("127.0.0.1", 0));
    }

    /** A new memcached node listed at the end of {@code cluster}, as when a node is added to an ElastiCache cluster. */
    public Node addNode(Cluster cluster, String host) {
        MemcachedProcess process = MemcachedProcess.start();
        addedNodes.add(process);
        Node node = new Node(host(host), "127.0.0.1", nodePort(process, cluster::endpoint));
        List<Node> nodes = new ArrayList<>(cluster.endpoint().config().nodes());
        nodes.add(node);
        cluster.endpoint().setNodes(nodes);
        return node;
    }

    /** Every node the two clusters list now, the primary's first, each in its cluster's order. */
    public List<Node> listedNodes() {
        List<Node> listed = new ArrayList<>(primary.endpoint().config().nodes());
        listed.addAll(secondary.endpoint().config().nodes());
        return listed;
    }

    /** The nodes' ports, sorted: what a client's node list is compared by. */
    public static List<Integer> ports(List<Node> nodes) {
        return nodes.stream().map(Node::port).sorted().toList();
    }

    /** Drains the primary's first node, as when it is removed from its ElastiCache cluster; returns it. */
    public Node drainFirstPrimaryNode() {
        List<Node> nodes = new ArrayList<>(primary.endpoint().config().nodes());
        Node drained = nodes.remove(0);
        primary.endpoint().setNodes(nodes);
        return drained;
    }

    public Cluster primary() {
        return primary;
    }

    public Cluster secondary() {
        return secondary;
    }

    public List<MemcachedProcess> oldNodes() {
        return oldNodes;
    }

    public List<MemcachedProcess> newNodes() {
        return newNodes;
    }

    /** Restores both clusters after a test that changed them, with every memcached node running again. */
    public void restore() {
        oldNodes.forEach(MemcachedProcess::restartIfStopped);
        newNodes.forEach(MemcachedProcess::restartIfStopped);
        primary.restore();
        secondary.restore();
    }

    /** The {@code config get cluster} reply that merges these clusters as they are now. */
    public String mergedReply() {
        return ExpectedReplies.configReply(ExpectedReplies.mergedPayload(this));
    }

    /** Waits until Memgrate, on {@code port}, serves the merge of these clusters as they are now; returns that reply. */
    public String awaitMergeServed(int port) {
        String reply = mergedReply();
        Serving.awaitServed(port, reply);
        return reply;
    }

    static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        extra.forEach(Cluster::stop);
        if (api != null) {
            api.close();
        }
        fronts.forEach(front -> await(front.stop()));
        oldNodes.forEach(MemcachedProcess::close);
        newNodes.forEach(MemcachedProcess::close);
        addedNodes.forEach(MemcachedProcess::close);
        if (vertx != null) {
            await(vertx.close());
        }
    }
}
