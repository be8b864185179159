package io.memgrate.upstream;

import io.memgrate.protocol.ReplyDecoder;
import io.netty.buffer.ByteBufUtil;
import io.vertx.core.buffer.Buffer;

/** For tests that compare an upstream's reply byte for byte: the bytes {@code decoder} consumed, rather than its value. */
final class Verbatim {

    private Verbatim() {
    }

    static ReplyDecoder<Buffer> of(ReplyDecoder<?> decoder) {
        return (in, maxBytes) -> {
            int start = in.readerIndex();
            return decoder.decode(in, maxBytes) == null ? null : Buffer.buffer(ByteBufUtil.getBytes(in, start, in.readerIndex() - start));
        };
    }
}
