package io.memgrate.emulator;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

import org.jboss.logging.Logger;

import io.memgrate.cluster.Node;
import io.memgrate.merge.MergeEngine;
import io.memgrate.merge.ServedTopology;
import io.memgrate.movement.HashScheme;
import io.memgrate.movement.KeyPlacement;
import io.memgrate.settings.MemgrateSettings;
import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.StartupEvent;

/**
 * Dev clusters only: a client at work, so the dev nodes' hit ratios are real and the next-step verdict can say safe. On
 * a thread of its own it follows the list Memgrate serves (as a client polling Memgrate gets it), places each key of a
 * key space on a node as a client hashing by the declared scheme would ({@link KeyPlacement}), reads the keys in
 * batches with one multi-get a node, and stores each key it misses, as a read-through cache does. A step's moved keys
 * so miss once, then hit. It never runs against real clusters: only while the dev clusters run.
 */
@IfBuildProfile(anyOf = { "dev", "test" })
@ApplicationScoped
public class DevTraffic {

    private static final Logger LOG = Logger.getLogger(DevTraffic.class);
    private static final int TICKS_PER_SECOND = 10;
    private static final int TIMEOUT_MILLIS = 1000;

    private final DevClusters devClusters;
    private final MergeEngine view;
    private final MemgrateSettings settings;
    private ScheduledExecutorService thread;
    /** Touched by the traffic's thread only. */
    private KeyPlacement placement;
    private final Map<Node, Connection> connections = new HashMap<>();
    private final Set<Node> failing = new HashSet<>();
    private int nextKey;

    @Inject
    public DevTraffic(DevClusters devClusters, MergeEngine view, MemgrateSettings settings) {
        this.devClusters = devClusters;
        this.view = view;
        this.settings = settings;
    }

    /** After Memgrate started (so whether the dev clusters run is known). */
    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_AFTER) StartupEvent event) {
        MemgrateSettings.Dev.Traffic traffic = settings.devClusters().traffic();
        if (!traffic.enabled()) {
            return;
        }
        if (!devClusters.running()) {
            LOG.info("memgrate.dev-clusters.traffic.enabled is ignored: the dev clusters are not running (an endpoint is"
                    + " configured), and dev traffic never writes into real clusters");
            return;
        }
        HashScheme scheme = settings.migration().clientHashing().flatMap(HashScheme::byLabel).orElse(HashScheme.KETAMA_AWS_JAVA);
        LOG.infof("Dev traffic: reading %d keys over and over, %d gets/s, through the nodes Memgrate serves, placed as"
                + " %s clients place them; each miss is stored (memgrate.dev-clusters.traffic.*)", traffic.keys(),
                traffic.getsPerSecond(), scheme.label());
        thread = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread client = new Thread(task, "memgrate-dev-traffic");
            client.setDaemon(true);
            return client;
        });
        int batch = Math.max(1, traffic.getsPerSecond() / TICKS_PER_SECOND);
        thread.scheduleAtFixedRate(() -> tick(scheme, traffic.keys(), batch), 0, 1000 / TICKS_PER_SECOND,
                TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (thread == null) {
            return;
        }
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connections.values().forEach(Connection::close);
        connections.clear();
    }

    private void tick(HashScheme scheme, int keys, int batch) {
        ServedTopology served = view.served().orElse(null);
        if (served == null || served.topology().nodes().isEmpty()) {
            return;
        }
        List<Node> nodes = served.topology().nodes();
        if (placement == null || !placement.nodes().equals(nodes)) {
            placement = KeyPlacement.of(scheme, nodes);
            connections.keySet().stream().filter(node -> !nodes.contains(node)).toList()
                    .forEach(node -> connections.remove(node).close());
        }
        Map<Node, List<String>> byNode = new LinkedHashMap<>();
        for (int i = 0; i < batch; i++) {
            String key = "dev-key-" + nextKey;
            nextKey = (nextKey + 1) % keys;
            byNode.computeIfAbsent(placement.nodeFor(key), node -> new ArrayList<>()).add(key);
        }
        byNode.forEach(this::readThrough);
    }

    /** Reads {@code keys} from {@code node} and stores those it misses; a node that fails is tried again next tick. */
    private void readThrough(Node node, List<String> keys) {
        try {
            Connection connection = connections.get(node);
            if (connection == null) {
                connection = Connection.open(node);
                connections.put(node, connection);
            }
            connection.readThrough(keys);
            if (failing.remove(node)) {
                LOG.infof("Dev traffic: %s answers again", node.hostAndPort());
            }
        } catch (IOException | RuntimeException e) {
            Connection broken = connections.remove(node);
            if (broken != null) {
                broken.close();
            }
            if (failing.add(node)) {
                LOG.infof("Dev traffic: %s does not answer (%s); its keys miss, as a client's would", node.hostAndPort(),
                        e.getMessage());
            }
        }
    }

    /** One blocking text-protocol connection to a dev node. */
    private record Connection(Socket socket, InputStream in, OutputStream out) {

        static Connection open(Node node) throws IOException {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(node.ip().isEmpty() ? node.host() : node.ip(), node.port()),
                        TIMEOUT_MILLIS);
                socket.setSoTimeout(TIMEOUT_MILLIS);
                socket.setTcpNoDelay(true);
                return new Connection(socket, new BufferedInputStream(socket.getInputStream()), socket.getOutputStream());
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        }

        void readThrough(List<String> keys) throws IOException {
            out.write(("get " + String.join(" ", keys) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Set<String> found = new HashSet<>();
            for (String line = line(); !line.equals("END"); line = line()) {
                String[] value = line.split(" ");
                if (value.length < 4 || !value[0].equals("VALUE")) {
                    throw new IOException("unexpected reply to get: " + line);
                }
                found.add(value[1]);
                in.skipNBytes(Integer.parseInt(value[3]) + 2L);
            }
            StringBuilder stores = new StringBuilder();
            keys.stream().filter(key -> !found.contains(key))
                    .forEach(key -> stores.append("set ").append(key).append(" 0 0 1 noreply\r\nv\r\n"));
            if (!stores.isEmpty()) {
                out.write(stores.toString().getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        }

        private String line() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new IOException("the node closed the connection");
                }
                line.write(b);
            }
            String text = line.toString(StandardCharsets.US_ASCII);
            return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing a connection the traffic is done with: nothing to do
            }
        }
    }
}
