package io.memgrate.server;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.jboss.logging.Logger;

import io.memgrate.merge.MergeEngine;
import io.memgrate.merge.ServedTopology;
import io.memgrate.metrics.MemgrateMetrics.Outcome;
import io.memgrate.metrics.MemgrateMetrics;
import io.memgrate.protocol.ClientCommand;
import io.memgrate.protocol.Replies;
import io.memgrate.transport.ChannelAccess;
import io.memgrate.upstream.Upstreams;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.ByteProcessor;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

/**
 * One client connection. Lines end with {@code \n} or {@code \r\n}; pipelined commands are answered in order.
 * Answers from memory are written at once; while a {@code stats} relay is pending, reading pauses so replies
 * stay in order and a client cannot queue unbounded work.
 * <p>
 * Flow control: once the replies queued for the client fill its write queue (a client that sends without reading),
 * handling lines and reading both pause until the queue drains, so what one client holds is bounded by the write
 * queue plus one read; a client that leaves the queue full for the write-stall timeout is closed.
 * <p>
 * Lines are found in the bytes Netty read, where they lie (only a partial line, or lines held during a relay, are
 * copied), and the two polling lines are recognised by comparing bytes, without parsing: every client polls, so
 * this is the hot path.
 */
final class ClientConnection {

    private static final Logger LOG = Logger.getLogger(ClientConnection.class);
    private static final Buffer VERSION_UNKNOWN = Buffer.buffer(Replies.serverError("engine version not known yet: no upstream has answered"));
    private static final Buffer UNSUPPORTED = Buffer.buffer(Replies.unsupportedCommand());
    private static final Buffer LINE_TOO_LONG = Buffer.buffer(Replies.clientError("line too long"));
    private static final Buffer BINARY_PROTOCOL = Buffer.buffer(Replies.clientError(
            "binary protocol is not supported; Memgrate speaks the memcached text protocol"));
    private static final Buffer STATS_ARGUMENTS_REFUSED = Buffer.buffer(Replies.clientError(
            "stats arguments are not relayed: Memgrate relays only plain stats, read-only; ask a cache node directly"));
    private static final Buffer NOT_TEXT = Buffer.buffer(Replies.clientError("non-text input; Memgrate speaks the memcached text protocol"));
    /** The lines clients poll with, without their line end. */
    private static final ByteBuf CONFIG_GET_LINE = Unpooled.unreleasableBuffer(
            Unpooled.wrappedBuffer("config get cluster".getBytes(StandardCharsets.US_ASCII)));
    private static final ByteBuf LEGACY_GET_LINE = Unpooled.unreleasableBuffer(
            Unpooled.wrappedBuffer(("get " + ClientCommand.LEGACY_CONFIG_KEY).getBytes(StandardCharsets.US_ASCII)));
    /** The magic byte that starts every memcached binary-protocol request. */
    private static final byte BINARY_REQUEST_MAGIC = (byte) 0x80;
    /** Stops at the first byte that is neither printable ASCII nor part of a line end. */
    private static final ByteProcessor TEXT = b -> (b >= 0x20 && b <= 0x7e) || b == '\r' || b == '\n';

    private final Context context;
    private final NetSocket socket;
    private final ChannelAccess channel;
    private final MergeEngine view;
    private final Upstreams upstreams;
    private final MemgrateMetrics metrics;
    private final int maxLineBytes;
    private final long writeStallMillis;
    /** Bytes received but not handled yet: a partial line, or lines waiting while a stats relay is pending. */
    private final ByteBuf pending = Unpooled.buffer(0);
    /** Bad input found after the pending lines: answered once they are. */
    private Runnable rejection;
    private boolean relaying;
    /** The write queue is full: lines wait until the client reads its replies. */
    private boolean blocked;
    private long stallTimer = -1;
    private boolean closeWhenIdle;
    /** Shutdown began while this client was active: close once the requests it sent are answered. */
    private boolean closeAfterAnswers;
    /** When the client last sent bytes, or connected: a client that just connected is about to send. */
    private long lastActiveNanos = System.nanoTime();
    private boolean closing;

    ClientConnection(NetSocket socket, MergeEngine view, Upstreams upstreams, MemgrateMetrics metrics, int maxLineBytes,
            Duration writeStall) {
        this.context = Vertx.currentContext();
        this.socket = socket;
        this.channel = ChannelAccess.of(socket);
        this.view = view;
        this.upstreams = upstreams;
        this.metrics = metrics;
        this.maxLineBytes = maxLineBytes;
        this.writeStallMillis = Math.max(1, writeStall.toMillis());
    }

    void start() {
        // Netty's buffers as read, without Vert.x's copy of every read into a Buffer of its own (it cost 4-9% of
        // the CPU per request in bench/run.sh); reading pauses through the channel's auto-read (see relayStats).
        channel.onBytes(this::received);
        socket.drainHandler(v -> drained());
    }

    /**
     * Checks every byte as it arrives, so binary or other non-text input is answered at once rather than waiting for
     * a line end that may never come; lines before the bad byte are still answered.
     */
    private void received(ByteBuf data) {
        if (closing || rejection != null) {
            return;
        }
        lastActiveNanos = System.nanoTime();
        int bad = data.forEachByte(TEXT);
        int end = bad < 0 ? data.writerIndex() : bad;
        if (bad >= 0) {
            boolean binary = data.getByte(bad) == BINARY_REQUEST_MAGIC;
            rejection = () -> reject(binary ? "binary-protocol" : "not-text", binary ? BINARY_PROTOCOL : NOT_TEXT);
        }
        if (pending.isReadable()) {
            pending.writeBytes(data, data.readerIndex(), end - data.readerIndex());
            handlePending();
        } else {
            // the usual case: whole lines in one read, answered where they lie; only what is left is kept
            int handled = handleLines(data, data.readerIndex(), end);
            pending.writeBytes(data, handled, end - handled);
            afterLines();
        }
    }

    private void handlePending() {
        pending.readerIndex(handleLines(pending, pending.readerIndex(), pending.writerIndex()));
        pending.discardReadBytes();
        afterLines();
    }

    /**
     * Answers the complete lines in {@code bytes[start, end)}, stopping while a stats relay is pending; returns where
     * the bytes not handled begin.
     */
    private int handleLines(ByteBuf bytes, int start, int end) {
        while (!relaying && !closing && !blocked && start < end) {
            int newline = ClientCommand.lineEnd(bytes, start, end);
            if (newline < 0) {
                break;
            }
            int from = start;
            start = newline + 1;
            int length = ClientCommand.lineLength(bytes, from, newline);
            if (length > maxLineBytes) {
                reject("line-too-long", LINE_TOO_LONG);
            } else {
                handleLine(bytes, from, length);
                if (socket.writeQueueFull()) {
                    block();
                }
            }
        }
        return start;
    }

    /** Answers bad input found after the lines, or a partial line that is already too long. */
    private void afterLines() {
        if (relaying || closing || blocked) {
            return;
        }
        if (rejection != null) {
            rejection.run();
        } else if (pending.readableBytes() > maxLineBytes + 1) {
            // no line end yet and already too long (one byte spare for the \r of a line end split across reads)
            reject("line-too-long", LINE_TOO_LONG);
        } else if (closeAfterAnswers && !pending.isReadable()) {
            close();
        }
    }

    /**
     * Shutdown: a client that sent nothing for {@code quiet} is between polls and is closed at once, so it sees the
     * close before it sends again (clients reconnect on a close they see while idle, but lose a request sent into one).
     * A client that is active, or connected within {@code quiet}, is closed right after the requests it sent are
     * answered, at the latest once it has been quiet that long: requests already read or waiting in the socket are
     * answered, not cut off. Safe from any thread.
     */
    void drain(Duration quiet) {
        context.runOnContext(v -> {
            long sinceActive = System.nanoTime() - lastActiveNanos;
            if (sinceActive >= quiet.toNanos()) {
                closeWhenIdle = true;
                closeIfIdle();
                return;
            }
            closeAfterAnswers = true;
            context.owner().setTimer(Math.max(1, (quiet.toNanos() - sinceActive) / 1_000_000), id -> {
                closeWhenIdle = true;
                closeIfIdle();
            });
        });
    }

    /**
     * Closes the connection once every command already received is answered: the client ended its side. Safe from any
     * thread.
     */
    void closeWhenIdle() {
        context.runOnContext(v -> {
            closeWhenIdle = true;
            closeIfIdle();
        });
    }

    private void closeIfIdle() {
        if (!relaying && !closing && !blocked) {
            close();
        }
    }

    /** The command is {@code bytes[from, from + length)}, without its line end. */
    private void handleLine(ByteBuf bytes, int from, int length) {
        ClientCommand.Kind kind = is(bytes, from, length, CONFIG_GET_LINE) ? ClientCommand.Kind.CONFIG_GET_CLUSTER
                : is(bytes, from, length, LEGACY_GET_LINE) ? ClientCommand.Kind.LEGACY_CONFIG_GET
                : ClientCommand.parse(ByteBufUtil.getBytes(bytes, from, length)).kind();
        switch (kind) {
            case CONFIG_GET_CLUSTER, LEGACY_CONFIG_GET -> writeConfig(kind);
            case VERSION -> {
                String engine = view.engineVersion().orElse(null);
                metrics.request(kind, engine == null ? Outcome.NOT_READY : Outcome.OK);
                socket.write(engine == null ? VERSION_UNKNOWN : Buffer.buffer(Replies.version(engine)));
            }
            case STATS -> relayStats();
            case STATS_WITH_ARGUMENTS -> {
                metrics.request(kind, Outcome.FAILED);
                socket.write(STATS_ARGUMENTS_REFUSED);
            }
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
        metrics.badInput(reason);
        LOG.debugf("client %s: %s; closing", socket.remoteAddress(), reason);
        socket.write(answer);
        close();
    }

    /** Whether {@code bytes[from, from + length)} is exactly {@code expected}. */
    private static boolean is(ByteBuf bytes, int from, int length, ByteBuf expected) {
        return length == expected.readableBytes() && ByteBufUtil.equals(bytes, from, expected, 0, length);
    }

    private void writeConfig(ClientCommand.Kind kind) {
        ServedTopology served = view.served().orElse(null);
        if (served == null) {
            metrics.request(kind, Outcome.NOT_READY);
            socket.write(Buffer.buffer(Replies.serverError("configuration not ready: waiting for the first answer of "
                    + String.join(" and ", view.waitingFor()) + " upstream")));
            return;
        }
        metrics.request(kind, Outcome.OK);
        if (kind == ClientCommand.Kind.CONFIG_GET_CLUSTER) {
            served.writeConfigReply(socket);
        } else {
            served.writeLegacyReply(socket);
        }
    }

    private void relayStats() {
        relaying = true;
        reading(false);
        upstreams.stats().onComplete(done -> context.runOnContext(v -> {
            relaying = false;
            if (done.failed()) {
                metrics.request(ClientCommand.Kind.STATS, Outcome.FAILED);
                socket.write(Buffer.buffer(Replies.serverError(done.cause().getMessage())));
                close();
                return;
            }
            metrics.request(ClientCommand.Kind.STATS, Outcome.OK);
            socket.write(done.result());
            if (socket.writeQueueFull()) {
                block();
            }
            resume();
        }));
    }

    /** The client stopped reading its replies: stop handling its lines and reading until it catches up. */
    private void block() {
        blocked = true;
        reading(false);
        metrics.clientBlocked(true);
        stallTimer = context.owner().setTimer(writeStallMillis, id -> {
            if (blocked && !closing) {
                metrics.clientStalled();
                LOG.debugf("client %s left its replies unread for %d ms; closing", socket.remoteAddress(), writeStallMillis);
                closing = true;
                // from Vert.x's handler down: closing through it waits until the replies the client does not read are written
                channel.closeNow();
            }
        });
    }

    /** The connection is closed, by either side. */
    void closed() {
        closing = true;
        if (blocked) {
            blocked = false;
            metrics.clientBlocked(false);
            context.owner().cancelTimer(stallTimer);
        }
    }

    private void drained() {
        if (!blocked) {
            return;
        }
        blocked = false;
        metrics.clientBlocked(false);
        context.owner().cancelTimer(stallTimer);
        resume();
    }

    /**
     * After a stats relay or a drained write queue: answers the lines that arrived meanwhile (one of them may start
     * another relay or fill the queue again), then reads again, or closes if the client has ended its side.
     */
    private void resume() {
        handlePending();
        if (relaying || closing || blocked) {
            return;
        }
        if (closeWhenIdle || closeAfterAnswers) {
            // a client's end of input is read after all its bytes, so every line it sent has been answered
            close();
        } else {
            reading(true);
        }
    }

    /**
     * Stops or restarts reading from the client. A read already under way still delivers its bytes, which wait in
     * {@link #pending}; Netty also reads to the end when the client closes its side.
     */
    private void reading(boolean on) {
        channel.reading(on);
    }

    private void close() {
        closing = true;
        socket.end();
    }
}
