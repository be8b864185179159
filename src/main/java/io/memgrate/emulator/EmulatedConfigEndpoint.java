package io.memgrate.emulator;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.memgrate.cluster.Node;
import io.memgrate.cluster.Topology;
import io.memgrate.protocol.ClientCommand;
import io.memgrate.protocol.Replies;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;

/**
 * An in-process ElastiCache Memcached configuration endpoint: answers {@code config get cluster}, the legacy
 * {@code get AmazonElastiCache:cluster}, {@code version} and {@code stats} like a real one, and {@code ERROR} to
 * anything else, as memcached does. Its node list can be changed while it runs (the version rises, as
 * ElastiCache's does). Used by dev mode's embedded clusters and by the tests, whose fault-injecting subclass overrides
 * {@link #serverOptions()} and {@link #answer}.
 */
public class EmulatedConfigEndpoint {

    private final Vertx vertx;
    private final String engineVersion;
    private final AtomicLong configRequests = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong statsRequests = new AtomicLong();
    private volatile Topology config;
    private NetServer server;

    public EmulatedConfigEndpoint(Vertx vertx, String engineVersion, Topology initial) {
        this.vertx = vertx;
        this.engineVersion = engineVersion;
        this.config = initial;
    }

    /** Starts listening on {@code host:port} (port 0 picks a free one); completes with the bound port. */
    public synchronized Future<Integer> start(String host, int port) {
        server = vertx.createNetServer(serverOptions()).connectHandler(this::serve);
        return server.listen(port, host).map(NetServer::actualPort);
    }

    /** Stops listening and closes every open connection. */
    public synchronized Future<Void> stop() {
        NetServer running = server;
        server = null;
        return running == null ? Future.succeededFuture() : running.close();
    }

    public int port() {
        return server.actualPort();
    }

    public Topology config() {
        return config;
    }

    /** Replaces the node list and raises the version by one, as ElastiCache does when nodes change. */
    public synchronized void setNodes(List<Node> nodes) {
        config = new Topology(config.version() + 1, nodes);
    }

    /** Serves exactly this configuration from now on (a lower version emulates a replaced cluster). */
    public void setConfig(Topology replacement) {
        config = replacement;
    }

    /** How many configuration requests (either form) this endpoint has answered. */
    public long configRequests() {
        return configRequests.get();
    }

    /** How many {@code stats} requests this endpoint has received. */
    public long statsRequests() {
        return statsRequests.get();
    }

    /** How many connections this endpoint has accepted. */
    public long connections() {
        return connections.get();
    }

    private void serve(NetSocket socket) {
        connections.incrementAndGet();
        RecordParser lines = RecordParser.newDelimited("\n", socket);
        lines.handler(line -> {
            byte[] bytes = line.getBytes();
            int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
            ClientCommand.Kind kind = ClientCommand.parse(Arrays.copyOf(bytes, length)).kind();
            switch (kind) {
                case CONFIG_GET_CLUSTER, LEGACY_CONFIG_GET -> configRequests.incrementAndGet();
                case STATS -> statsRequests.incrementAndGet();
                default -> {
                }
            }
            answer(socket, lines, kind);
        });
    }

    /** The listener's options: plain TCP, as an unencrypted cluster's. */
    protected NetServerOptions serverOptions() {
        return new NetServerOptions();
    }

    /**
     * Answers one request as an ElastiCache configuration endpoint does; {@code lines} are the connection's requests,
     * to pause while an answer is held back.
     */
    protected void answer(NetSocket socket, RecordParser lines, ClientCommand.Kind kind) {
        switch (kind) {
            case CONFIG_GET_CLUSTER -> socket.write(Buffer.buffer(Replies.config(config)));
            case LEGACY_CONFIG_GET -> socket.write(Buffer.buffer(Replies.legacyConfig(config)));
            case VERSION -> socket.write(Buffer.buffer(Replies.version(engineVersion)));
            case STATS -> socket.write(Buffer.buffer(stats()));
            case QUIT -> socket.close();
            default -> socket.write(Buffer.buffer(Replies.line("ERROR")));
        }
    }

    private byte[] stats() {
        String reply = "STAT pid " + ProcessHandle.current().pid() + "\r\n"
                + "STAT version " + engineVersion + "\r\n"
                + "STAT config_version " + config.version() + "\r\n"
                + "STAT port " + port() + "\r\n"
                + "END\r\n";
        return reply.getBytes(StandardCharsets.US_ASCII);
    }
}
