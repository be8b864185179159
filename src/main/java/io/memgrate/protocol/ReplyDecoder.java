package io.memgrate.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * Reads one upstream reply from the bytes received so far, framing and parsing it in one pass
 * ({@link TextReplyDecoder} does it for every shape). A reply that arrives in many reads is not scanned again from its
 * first byte: a decoder remembers how far it got, so each reply needs an instance of its own. Decoders do no I/O: the
 * connection's Netty pipeline keeps the bytes (a {@code ByteToMessageDecoder}'s cumulation) and calls {@link #decode}
 * again whenever more arrive.
 */
public interface ReplyDecoder<T> {

    /**
     * Decodes the reply that starts at the reader index of {@code in}, looking at no more than {@code maxBytes + 1} of
     * its bytes. Returns null while the reply is incomplete, consuming nothing: call again, with the same limit, once
     * more bytes are written to {@code in} (bytes before the reader index may be discarded in between). Otherwise
     * moves the reader index just past the reply, so a pipelined reply after it is left in place, and returns its
     * value.
     *
     * @throws MalformedContentException when the reply is whole but what it says breaks the protocol: its bytes are
     *         consumed, so the replies after it are still in step
     * @throws MalformedReplyException when the bytes cannot be a reply of this shape, or it is larger than
     *         {@code maxBytes}: where the next reply starts is lost
     */
    T decode(ByteBuf in, int maxBytes);

    /** For {@code config get cluster} or the legacy get: the configuration, an unknown command or a refusal. */
    static ReplyDecoder<ConfigAnswer> config() {
        return new TextReplyDecoder<>(TextReplyDecoder.Framing.COUNTED, TextReplyDecoder::configAnswer);
    }

    /** For {@code version}: the engine version, such as {@code 1.6.22}. */
    static ReplyDecoder<String> version() {
        return new TextReplyDecoder<>(TextReplyDecoder.Framing.LINE, TextReplyDecoder::engineVersion);
    }

    /**
     * For {@code stats ...}: the whole reply, verbatim, through its terminating line ({@code END}, {@code RESET},
     * {@code OK} or an error).
     */
    static ReplyDecoder<byte[]> stats() {
        return new TextReplyDecoder<>(TextReplyDecoder.Framing.TERMINATED, (framed, in, start, length) -> ByteBufUtil.getBytes(in, start, length));
    }

    /**
     * For plain {@code stats} to a cache node: its {@code STAT} lines by name. A whole reply that is not
     * {@code STAT} lines ended by {@code END} (an error line, a line of another shape) fails as malformed content.
     */
    static ReplyDecoder<StatValues> statValues() {
        return new TextReplyDecoder<>(TextReplyDecoder.Framing.TERMINATED, (framed, in, start, length) -> StatValues.parse(in, start, length));
    }
}
