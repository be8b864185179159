package io.memgrate.emulator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.parsetools.RecordParser;

/**
 * An in-process ElastiCache Memcached configuration endpoint: answers {@code config get cluster}, the legacy
 * {@code get AmazonElastiCache:cluster}, {@code version} and {@code stats} like a real one, and {@code ERROR} to
 * anything else, as memcached does. Its node list can be changed while it runs (the version rises, as
 * ElastiCache's does). Used by dev mode's embedded clusters and by the tests.
 */
public final class EmulatedConfigEndpoint {

    private final Vertx vertx;
    private final String engineVersion;
    private final AtomicLong configRequests = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong statsRequests = new AtomicLong();
    private volatile Topology config;
    private volatile boolean legacyEngine;
    private volatile byte[] rawConfigReply;
    private volatile boolean silent;
    private volatile boolean closeMidReply;
    private volatile long statsDelayMillis;
    private NetServer server;
    private NetServerOptions options = new NetServerOptions();

    public EmulatedConfigEndpoint(Vertx vertx, String engineVersion, Topology initial) {
        this.vertx = vertx;
        this.engineVersion = engineVersion;
        this.config = initial;
    }

    /** Serves over TLS with this PEM certificate and key from the next start on, as an encrypted cluster does. */
    public synchronized void useTls(String certificatePath, String keyPath) {
        options = new NetServerOptions().setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(certificatePath).setKeyPath(keyPath));
    }

    /** Starts listening on {@code host:port} (port 0 picks a free one); completes with the bound port. */
    public synchronized Future<Integer> start(String host, int port) {
        server = vertx.createNetServer(options).connectHandler(this::serve);
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

    /** Behaves like an engine before 1.4.14: {@code config get cluster} is an unknown command. */
    public void setLegacyEngine(boolean legacy) {
        legacyEngine = legacy;
    }

    /** Answers configuration requests with exactly these bytes instead of the configuration (null to stop): for fault tests. */
    public void answerConfigWith(byte[] raw) {
        rawConfigReply = raw;
    }

    /** Reads requests but never answers them, like a stalled node: for fault tests. */
    public void setSilent(boolean silent) {
        this.silent = silent;
    }

    /** Writes half of each configuration reply and then closes the connection: for fault tests. */
    public void setCloseMidReply(boolean close) {
        closeMidReply = close;
    }

    /** Answers {@code stats} this much later, and the requests behind it after that, in order: for relay tests. */
    public void setStatsDelay(Duration delay) {
        statsDelayMillis = delay.toMillis();
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
            if (silent) {
                return;
            }
            byte[] bytes = line.getBytes();
            int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
            ClientCommand command = ClientCommand.parse(Arrays.copyOf(bytes, length));
            switch (command.kind()) {
                case CONFIG_GET_CLUSTER -> {
                    configRequests.incrementAndGet();
                    answerConfig(socket, legacyEngine ? Replies.line("ERROR") : configReply(Replies.config(config)));
                }
                case LEGACY_CONFIG_GET -> {
                    configRequests.incrementAndGet();
                    answerConfig(socket, configReply(Replies.legacyConfig(config)));
                }
                case VERSION -> socket.write(Buffer.buffer(Replies.version(engineVersion)));
                case STATS -> answerStats(socket, lines);
                case QUIT -> socket.close();
                default -> socket.write(Buffer.buffer(Replies.line("ERROR")));
            }
        });
    }

    private void answerStats(NetSocket socket, RecordParser lines) {
        statsRequests.incrementAndGet();
        long delay = statsDelayMillis;
        if (delay <= 0) {
            socket.write(Buffer.buffer(stats()));
            return;
        }
        lines.pause();
        vertx.setTimer(delay, id -> {
            socket.write(Buffer.buffer(stats()));
            lines.resume();
        });
    }

    private void answerConfig(NetSocket socket, byte[] reply) {
        if (closeMidReply) {
            socket.write(Buffer.buffer(Arrays.copyOf(reply, reply.length / 2)));
            socket.close();
        } else {
            socket.write(Buffer.buffer(reply));
        }
    }

    private byte[] configReply(byte[] regular) {
        byte[] raw = rawConfigReply;
        return raw == null ? regular : raw;
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
