package io.memgrate.server;

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

    private final Context context;
    private final NetSocket socket;
    private final MergedView view;
    private final Upstreams upstreams;
    private final MemgrateMetrics metrics;
    private final RecordParser lines;
    private boolean relaying;
    private boolean closeWhenIdle;
    private boolean closing;

    ClientConnection(NetSocket socket, MergedView view, Upstreams upstreams, MemgrateMetrics metrics) {
        this.context = Vertx.currentContext();
        this.socket = socket;
        this.view = view;
        this.upstreams = upstreams;
        this.metrics = metrics;
        this.lines = RecordParser.newDelimited("\n", socket);
    }

    void start() {
        lines.handler(this::handleLine);
        lines.exceptionHandler(e -> {
            LOG.debugf("client %s: %s", socket.remoteAddress(), e.getMessage());
            socket.close();
        });
    }

    /** Closes the connection once the reply being prepared (if any) has been written. Safe from any thread. */
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
        ClientCommand command = ClientCommand.parse(line.getBytes(0, length));
        switch (command.kind()) {
            case CONFIG_GET_CLUSTER, LEGACY_CONFIG_GET -> writeConfig(command.kind());
            case VERSION -> {
                String engine = view.engineVersion().orElse(null);
                metrics.request(command.kind(), engine == null ? Outcome.NOT_READY : Outcome.OK);
                socket.write(engine == null ? VERSION_UNKNOWN : Buffer.buffer(Replies.version(engine)));
            }
            case STATS -> relayStats(line.getBuffer(0, length).appendString("\r\n"));
            case QUIT -> {
                metrics.request(command.kind(), Outcome.OK);
                close();
            }
            case UNSUPPORTED -> {
                metrics.request(command.kind(), Outcome.FAILED);
                socket.write(UNSUPPORTED);
                close();
            }
        }
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
        socket.write(kind == ClientCommand.Kind.CONFIG_GET_CLUSTER ? served.configReply() : served.legacyReply());
    }

    private void relayStats(Buffer commandLine) {
        relaying = true;
        lines.pause();
        upstreams.stats(commandLine).onComplete(done -> context.runOnContext(v -> {
            relaying = false;
            if (done.succeeded()) {
                metrics.request(ClientCommand.Kind.STATS, Outcome.OK);
                socket.write(done.result());
                if (closeWhenIdle) {
                    close();
                } else {
                    lines.resume();
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
