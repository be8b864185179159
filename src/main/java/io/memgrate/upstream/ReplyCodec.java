package io.memgrate.upstream;

import java.util.ArrayDeque;
import java.util.List;

import io.memgrate.protocol.MalformedContentException;
import io.memgrate.protocol.MalformedReplyException;
import io.memgrate.protocol.ReplyDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageCodec;
import io.vertx.core.buffer.Buffer;

/**
 * The one decoder of an upstream connection, in its Netty pipeline. Each request is written through it with the
 * decoder of its reply, so replies are read in the order they were asked for (as Netty's {@code HttpClientCodec} pairs
 * responses with requests). Netty keeps the bytes of a reply that arrives in many reads; a reply that arrives whole is
 * decoded from the read itself, and one over the limit is refused as it streams in, so at most the limit plus one read
 * is kept.
 * <p>
 * Emits, for each reply in turn, its value, or a {@link MalformedContentException} when it is whole but says something
 * invalid (the replies after it are still in step). Bytes that cannot be framed, or that nobody asked for, emit an
 * {@link UpstreamException} instead, and nothing more is read: where the next reply starts is lost.
 */
final class ReplyCodec extends ByteToMessageCodec<ReplyCodec.Request> {

    /** A request, and the decoder of its reply (a new one for every request). */
    record Request(Buffer bytes, ReplyDecoder<?> reply) {
    }

    private final int maxReplyBytes;
    /** The decoders of the replies still due, in the order their requests were written. */
    private final ArrayDeque<ReplyDecoder<?>> due = new ArrayDeque<>();
    private boolean lost;

    ReplyCodec(int maxReplyBytes) {
        super(Request.class);
        this.maxReplyBytes = maxReplyBytes;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Request request, ByteBuf out) {
        due.add(request.reply());
        // shared, prebuilt requests: their reader index stays
        ByteBuf bytes = request.bytes().getByteBuf();
        out.writeBytes(bytes, bytes.readerIndex(), bytes.readableBytes());
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        ReplyDecoder<?> head = due.peek();
        if (lost || head == null) {
            lose(in, out, new UpstreamException("unexpected", "upstream sent bytes nobody asked for"));
            return;
        }
        Object reply;
        try {
            reply = head.decode(in, maxReplyBytes);
        } catch (MalformedContentException e) {
            due.poll();
            out.add(e);
            return;
        } catch (MalformedReplyException e) {
            lose(in, out, new UpstreamException("malformed-" + e.reason(), "malformed reply: " + e.getMessage()));
            return;
        }
        if (reply != null) {
            due.poll();
            out.add(reply);
        }
    }

    /** Drops {@code in}, reporting {@code cause} the first time: the connection is about to be dropped. */
    private void lose(ByteBuf in, List<Object> out, UpstreamException cause) {
        in.skipBytes(in.readableBytes());
        if (!lost) {
            lost = true;
            out.add(cause);
        }
    }
}
