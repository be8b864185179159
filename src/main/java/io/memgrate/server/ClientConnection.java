package io.memgrate.server;

import org.jboss.logging.Logger;

import io.memgrate.merge.MergedView;
import io.memgrate.protocol.ClientCommand;
import io.memgrate.protocol.Replies;
import io.memgrate.upstream.Upstreams;
import io.vertx.core.Context;
import io.vertx.core.Future;
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
    private final RecordParser lines;
    private boolean closing;

    ClientConnection(NetSocket socket, MergedView view, Upstreams upstreams) {
        this.context = Vertx.currentContext();
        this.socket = socket;
        this.view = view;
        this.upstreams = upstreams;
        this.lines = RecordParser.newDelimited("\n", socket);
    }

    void start() {
        lines.handler(this::handleLine);
        lines.exceptionHandler(e -> {
            LOG.debugf("client %s: %s", socket.remoteAddress(), e.getMessage());
            socket.close();
        });
    }

    private void handleLine(Buffer line) {
        if (closing) {
            return;
        }
        int length = line.length() > 0 && line.getByte(line.length() - 1) == '\r' ? line.length() - 1 : line.length();
        ClientCommand command = ClientCommand.parse(line.getBytes(0, length));
        switch (command.kind()) {
            case CONFIG_GET_CLUSTER -> socket.write(view.served().map(served -> served.configReply()).orElseGet(this::notReady));
            case LEGACY_CONFIG_GET -> socket.write(view.served().map(served -> served.legacyReply()).orElseGet(this::notReady));
            case VERSION -> socket.write(view.engineVersion().map(v -> Buffer.buffer(Replies.version(v))).orElse(VERSION_UNKNOWN));
            case STATS -> relayStats(line.getBuffer(0, length).appendString("\r\n"));
            case QUIT -> close();
            case UNSUPPORTED -> {
                socket.write(UNSUPPORTED);
                close();
            }
        }
    }

    private Buffer notReady() {
        return Buffer.buffer(Replies.serverError("configuration not ready: waiting for the first answer of "
                + String.join(" and ", view.waitingFor()) + " upstream"));
    }

    private void relayStats(Buffer commandLine) {
        lines.pause();
        Future<Buffer> reply = upstreams.stats(commandLine);
        reply.onComplete(done -> context.runOnContext(v -> {
            if (done.succeeded()) {
                socket.write(done.result());
                lines.resume();
            } else {
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
