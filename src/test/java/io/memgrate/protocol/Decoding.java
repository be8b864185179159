package io.memgrate.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Feeds reply bytes to decoders as a connection does: whole, or as they arrive. */
final class Decoding {

    static final int MAX = 64 * 1024;

    /** The decoders, for tests that take each in turn. */
    enum Shape {
        CONFIG(ReplyDecoder::config), VERSION(ReplyDecoder::version), STATS(ReplyDecoder::stats);

        private final Supplier<ReplyDecoder<?>> decoders;

        Shape(Supplier<ReplyDecoder<?>> decoders) {
            this.decoders = decoders;
        }

        ReplyDecoder<?> decoder() {
            return decoders.get();
        }
    }

    private Decoding() {
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** The value of {@code reply}, which must be exactly one whole reply. */
    static <T> T whole(ReplyDecoder<T> decoder, byte[] reply) {
        ByteBuf in = Unpooled.wrappedBuffer(reply);
        T value = decoder.decode(in, MAX);
        assertThat(value).as("a whole reply decodes").isNotNull();
        assertThat(in.readableBytes()).as("bytes left after the reply").isZero();
        return value;
    }

    /** How long the first reply in {@code data[0, length)} is, or -1 while more bytes are needed. */
    static int framed(ReplyDecoder<?> decoder, byte[] data, int length, int maxBytes) {
        ByteBuf in = Unpooled.wrappedBuffer(data, 0, length);
        return decoder.decode(in, maxBytes) == null ? -1 : in.readerIndex();
    }
}
