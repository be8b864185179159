package io.memgrate.protocol;

import java.nio.charset.StandardCharsets;

import io.memgrate.cluster.Printable;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * The pass every reply decoder makes: frame the reply (resuming where the last call stopped), refuse it when it is
 * over the limit, consume it, then read its value. Framing positions are kept relative to the reply's first byte, the
 * reader index, as bytes before it may be discarded between calls.
 */
abstract class FramedDecoder<T> implements ReplyDecoder<T> {

    @Override
    public final T decode(ByteBuf in, int maxBytes) {
        int start = in.readerIndex();
        int length = frame(in, start, start + (int) Math.min(in.readableBytes(), maxBytes + 1L));
        if (length > maxBytes || (length < 0 && in.readableBytes() > maxBytes)) {
            throw new MalformedReplyException("too-large", "reply is larger than the limit of " + maxBytes + " bytes");
        }
        if (length < 0) {
            return null;
        }
        in.skipBytes(length);
        try {
            return value(in, start, length);
        } catch (MalformedReplyException e) {
            throw new MalformedContentException(e);
        }
    }

    /**
     * The length of the reply that starts at {@code start}, looking only at {@code in[start, end)}, or -1 when more
     * bytes are needed.
     *
     * @throws MalformedReplyException when the bytes cannot be a reply of this shape
     */
    abstract int frame(ByteBuf in, int start, int end);

    /**
     * The value of the reply just framed, {@code in[start, start + length)}.
     *
     * @throws MalformedReplyException when it says something that breaks the protocol
     */
    abstract T value(ByteBuf in, int start, int length);

    /**
     * The bytes {@code in[from, to)} as text, one character per byte (ISO-8859-1): the protocol's lines are ASCII, and
     * a stray byte stays itself, to be named exactly in a message.
     */
    static String text(ByteBuf in, int from, int to) {
        return new String(ByteBufUtil.getBytes(in, from, to - from), StandardCharsets.ISO_8859_1);
    }

    /** The error lines of the memcached text protocol. */
    static boolean isErrorLine(String line) {
        return line.equals("ERROR") || line.startsWith("SERVER_ERROR") || line.startsWith("CLIENT_ERROR");
    }

    /** Upstream text fit for a message: at most 80 characters, escaped ({@link Printable}). */
    static String printable(String text) {
        return Printable.shortened(text, 80);
    }
}
