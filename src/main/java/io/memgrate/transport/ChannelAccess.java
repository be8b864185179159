package io.memgrate.transport;

import java.util.function.Consumer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;

/**
 * The Netty channel under a Vert.x TCP socket, for what Vert.x 4 offers only through its internal
 * {@code NetSocketInternal}: reading Netty's buffers as they are, a codec of its own in the pipeline, pausing reads,
 * half-close and closing without a flush. With {@link OwnEventLoop}, the only code that touches Vert.x internals, so a
 * Vert.x upgrade changes this package alone ({@code ArchitectureTest} checks it).
 */
public final class ChannelAccess {

    private final NetSocketInternal socket;

    private ChannelAccess(NetSocketInternal socket) {
        this.socket = socket;
    }

    /** Every Vert.x TCP socket, client or server side, plain or TLS, implements the internal interface. */
    public static ChannelAccess of(NetSocket socket) {
        return new ChannelAccess((NetSocketInternal) socket);
    }

    /**
     * Hands each read to {@code handler} as Netty's buffer, released once the handler returns, without the copy
     * Vert.x makes of every read into a Buffer of its own.
     */
    public void onBytes(Consumer<ByteBuf> handler) {
        onMessage(message -> {
            if (message instanceof ByteBuf bytes) {
                handler.accept(bytes);
            }
        });
    }

    /**
     * Hands each message that reaches Vert.x's handler to {@code handler}, on the socket's context: what a codec
     * added with {@link #addCodec} emits, or Netty's buffers without one. A reference-counted message is released
     * once the handler returns.
     */
    public void onMessage(Consumer<Object> handler) {
        socket.messageHandler(message -> {
            try {
                handler.accept(message);
            } finally {
                ReferenceCountUtil.release(message);
            }
        });
    }

    /**
     * Puts {@code codec} in the pipeline just before Vert.x's handler: it reads the bytes as they arrive (after TLS),
     * what it emits goes to {@link #onMessage}, and what {@link #writeMessage} writes goes through it.
     */
    public void addCodec(String name, ChannelHandler codec) {
        ChannelHandlerContext vertx = socket.channelHandlerContext();
        vertx.pipeline().addBefore(vertx.name(), name, codec);
    }

    /** Writes {@code message}, which a codec added with {@link #addCodec} turns into bytes. */
    public void writeMessage(Object message) {
        socket.writeMessage(message);
    }

    /** Stops or restarts reading from the peer (a read already under way still delivers its bytes). */
    public void reading(boolean on) {
        channel().config().setAutoRead(on);
    }

    /**
     * Keeps the connection open when the peer ends its sending side ({@code nc -N} does so right after its request),
     * and runs {@code action} then; by default Netty closes the whole connection, losing the replies still due.
     */
    public void onInputEnded(Runnable action) {
        channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        socket.eventHandler(event -> {
            if (event instanceof ChannelInputShutdownEvent) {
                action.run();
            }
        });
    }

    /** Ends this side's sending, keeping the connection open for the peer's replies. */
    public void shutdownOutput() {
        ((DuplexChannel) channel()).shutdownOutput();
    }

    /**
     * Closes from below Vert.x's handler: Vert.x's own close first waits for queued writes to be flushed, which never
     * happens for a peer that does not read.
     */
    public void closeNow() {
        socket.channelHandlerContext().close();
    }

    private Channel channel() {
        return socket.channelHandlerContext().channel();
    }
}
