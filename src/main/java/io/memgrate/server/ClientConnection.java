package io.memgrate.server;

import java.nio.charset.StandardCharsets;

import org.jboss.logging.Logger;

import io.memgrate.merge.MergedView;
import io.memgrate.merge.ServedConfig;
import io.memgrate.metrics.MemgrateMetrics;
import io.memgrate.metrics.MemgrateMetrics.Outcome;
import io.memgrate.protocol.ClientCommand;
import io.memgrate.protocol.Replies;
import io.memgrate.upstream.Upstreams;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;

/**
 * One client connection. Lines end with {@code \n} or {@code \r\n}; pipelined commands are answered in order.
 * Answers from memory are written at once; while a {@code stats} relay is pending, reading pauses so replies
 * stay in order and a client cannot queue unbounded work.
 */
final class ClientConnection {

    private static final Logger LOG = Logger.getLogger(ClientConnection.class);
    private static final Buffer VERSION_UNKNOWN = Buffer.buffer(Replies.serverError("engine version not known yet: no upstream has answered"));
    private static final Buffer UNSUPPORTED = Buffer.buffer(Replies.unsupportedCommand());
    private static final Buffer LINE_TOO_LONG = Buffer.buffer(Replies.clientError("line too long"));
    private static final Buffer BINARY_PROTOCOL = Buffer.buffer(Replies.clientError(
            "binary protocol is not supported; Memgrate speaks the memcached text protocol"));
    private static final Buffer NOT_TEXT = Buffer.buffer(Replies.clientError("non-text input; Memgrate speaks the memcached text protocol"));
    /** The lines clients poll with, without their line end: recognised without copying or parsing. */
    private static final byte[] CONFIG_GET_LINE = "config get cluster".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LEGACY_GET_LINE = ("get " + ClientCommand.LEGACY_CONFIG_KEY).getBytes(StandardCharsets.US_ASCII);
    /** The magic byte that starts every memcached binary-protocol request. */
    private static final byte BINARY_REQUEST_MAGIC = (byte) 0x80;

    private final Context context;
    private final NetSocket socket;
    private final MergedView view;
    private final Upstreams upstreams;
    private final MemgrateMetrics metrics;
    private final RecordParser lines;
    private boolean relaying;
    private Runnable afterRelay;
    private boolean closeWhenIdle;
    private boolean closing;

    ClientConnection(NetSocket socket, MergedView view, Upstreams upstreams, MemgrateMetrics metrics, int maxLineBytes) {
        this.context = Vertx.currentContext();
        this.socket = socket;
        this.view = view;
        this.upstreams = upstreams;
        this.metrics = metrics;
        this.lines = RecordParser.newDelimited("\n").maxRecordSize(maxLineBytes);
    }

    void start() {
        lines.handler(this::handleLine);
        socket.handler(this::received);
    }

    /**
     * Checks every byte as it arrives, so binary or other non-text input is answered at once rather than waiting for
     * a line end that may never come; lines before the bad byte are still answered.
     */
    private void received(Buffer data) {
        if (closing) {
            return;
        }
        int bad = firstNonText(data);
        try {
            lines.handle(bad < 0 ? data : data.getBuffer(0, bad));
        } catch (IllegalStateException e) {
            // the parser throws when a line outgrows the limit before its end arrives
            reject("line-too-long", LINE_TOO_LONG);
            return;
        }
        if (bad >= 0 && !closing) {
            boolean binary = data.getByte(bad) == BINARY_REQUEST_MAGIC;
            reject(binary ? "binary-protocol" : "not-text", binary ? BINARY_PROTOCOL : NOT_TEXT);
        }
    }

    /** The index of the first byte that is neither printable ASCII nor a line end, or -1. */
    private static int firstNonText(Buffer data) {
        for (int i = 0; i < data.length(); i++) {
            byte b = data.getByte(i);
            if ((b < 0x20 && b != '\r' && b != '\n') || b > 0x7e) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Closes the connection once every command already received is answered (the client ended its side, or Memgrate
     * is shutting down). Safe from any thread.
     */
    void closeWhenIdle() {
        context.runOnContext(v -> {
            closeWhenIdle = true;
            if (!relaying) {
                close();
            }
        });
    }

    private void handleLine(Buffer line) {
        if (closing) {
            return;
        }
        int length = line.length() > 0 && line.getByte(line.length() - 1) == '\r' ? line.length() - 1 : line.length();
        ClientCommand.Kind kind = is(line, length, CONFIG_GET_LINE) ? ClientCommand.Kind.CONFIG_GET_CLUSTER
                : is(line, length, LEGACY_GET_LINE) ? ClientCommand.Kind.LEGACY_CONFIG_GET
                : ClientCommand.parse(line.getBytes(0, length)).kind();
        switch (kind) {
            case CONFIG_GET_CLUSTER, LEGACY_CONFIG_GET -> writeConfig(kind);
            case VERSION -> {
                String engine = view.engineVersion().orElse(null);
                metrics.request(kind, engine == null ? Outcome.NOT_READY : Outcome.OK);
                socket.write(engine == null ? VERSION_UNKNOWN : Buffer.buffer(Replies.version(engine)));
            }
            case STATS -> relayStats(line.getBuffer(0, length).appendString("\r\n"));
            case QUIT -> {
                metrics.request(kind, Outcome.OK);
                close();
            }
            case UNSUPPORTED -> {
                metrics.request(kind, Outcome.FAILED);
                socket.write(UNSUPPORTED);
                close();
            }
        }
    }

    private void reject(String reason, Buffer answer) {
        if (relaying) {
            // answer in order: after the stats reply being relayed
            afterRelay = () -> reject(reason, answer);
            return;
        }
        metrics.badInput(reason);
        LOG.debugf("client %s: %s; closing", socket.remoteAddress(), reason);
        socket.write(answer);
        close();
    }

    /** Whether the first {@code length} bytes of {@code line} are exactly {@code expected}. */
    private static boolean is(Buffer line, int length, byte[] expected) {
        if (length != expected.length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (line.getByte(i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private void writeConfig(ClientCommand.Kind kind) {
        ServedConfig served = view.served().orElse(null);
        if (served == null) {
            metrics.request(kind, Outcome.NOT_READY);
            socket.write(Buffer.buffer(Replies.serverError("configuration not ready: waiting for the first answer of "
                    + String.join(" and ", view.waitingFor()) + " upstream")));
            return;
        }
        metrics.request(kind, Outcome.OK);
        // no completion handler: nothing acts on a failed write, so a per-write Future would be allocated for nothing
        socket.write(kind == ClientCommand.Kind.CONFIG_GET_CLUSTER ? served.configReply() : served.legacyReply(), null);
    }

    private void relayStats(Buffer commandLine) {
        relaying = true;
        lines.pause();
        socket.pause();
        upstreams.stats(commandLine).onComplete(done -> context.runOnContext(v -> {
            relaying = false;
            if (done.succeeded()) {
                metrics.request(ClientCommand.Kind.STATS, Outcome.OK);
                socket.write(done.result());
                if (afterRelay != null) {
                    afterRelay.run();
                } else {
                    socket.resume();
                    lines.resume();
                    // resuming answers the lines that waited; one of them may have started another relay
                    if (closeWhenIdle && !relaying) {
                        close();
                    }
                }
            } else {
                metrics.request(ClientCommand.Kind.STATS, Outcome.FAILED);
                socket.write(Buffer.buffer(Replies.serverError(done.cause().getMessage())));
                close();
            }
        }));
    }

    private void close() {
        closing = true;
        socket.end();
    }
}
