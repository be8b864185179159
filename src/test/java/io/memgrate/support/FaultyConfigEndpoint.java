package io.memgrate.support;

import java.time.Duration;
import java.util.Arrays;

import io.memgrate.cluster.Topology;
import io.memgrate.emulator.EmulatedConfigEndpoint;
import io.memgrate.protocol.ClientCommand;
import io.memgrate.protocol.Replies;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.parsetools.RecordParser;

/**
 * The emulated configuration endpoint with the faults tests inject: an old engine, garbage replies, silence, a reply
 * cut short, slow {@code stats}, TLS. Without any it answers as {@link EmulatedConfigEndpoint} does.
 */
public final class FaultyConfigEndpoint extends EmulatedConfigEndpoint {

    private final Vertx vertx;
    private volatile boolean legacyEngine;
    private volatile byte[] rawConfigReply;
    private volatile boolean silent;
    private volatile boolean closeMidReply;
    private volatile long statsDelayMillis;
    private volatile NetServerOptions options = new NetServerOptions();

    public FaultyConfigEndpoint(Vertx vertx, String engineVersion, Topology initial) {
        super(vertx, engineVersion, initial);
        this.vertx = vertx;
    }

    /** Serves over TLS with this PEM certificate and key from the next start on, as an encrypted cluster does. */
    public void useTls(String certificatePath, String keyPath) {
        options = new NetServerOptions().setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(certificatePath).setKeyPath(keyPath));
    }

    /** Behaves like an engine before 1.4.14: {@code config get cluster} is an unknown command. */
    public void setLegacyEngine(boolean legacy) {
        legacyEngine = legacy;
    }

    /** Answers configuration requests with exactly these bytes instead of the configuration (null to stop). */
    public void answerConfigWith(byte[] raw) {
        rawConfigReply = raw;
    }

    /** Reads requests but never answers them, like a stalled node. */
    public void setSilent(boolean silent) {
        this.silent = silent;
    }

    /** Writes half of each configuration reply and then closes the connection. */
    public void setCloseMidReply(boolean close) {
        closeMidReply = close;
    }

    /** Answers {@code stats} this much later, and the requests behind it after that, in order. */
    public void setStatsDelay(Duration delay) {
        statsDelayMillis = delay.toMillis();
    }

    /** Every fault off (TLS stays as set: it applies from a start on). */
    public void clearFaults() {
        legacyEngine = false;
        rawConfigReply = null;
        silent = false;
        closeMidReply = false;
        statsDelayMillis = 0;
    }

    @Override
    protected NetServerOptions serverOptions() {
        return options;
    }

    @Override
    protected void answer(NetSocket socket, RecordParser lines, ClientCommand.Kind kind) {
        if (silent) {
            return;
        }
        switch (kind) {
            case CONFIG_GET_CLUSTER -> answerConfig(socket, legacyEngine ? Replies.line("ERROR") : configReply(Replies.config(config())));
            case LEGACY_CONFIG_GET -> answerConfig(socket, configReply(Replies.legacyConfig(config())));
            case STATS -> answerStats(socket, lines);
            default -> super.answer(socket, lines, kind);
        }
    }

    private void answerStats(NetSocket socket, RecordParser lines) {
        long delay = statsDelayMillis;
        if (delay <= 0) {
            super.answer(socket, lines, ClientCommand.Kind.STATS);
            return;
        }
        lines.pause();
        vertx.setTimer(delay, id -> {
            super.answer(socket, lines, ClientCommand.Kind.STATS);
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
}
