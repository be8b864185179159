package io.memgrate.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * Decodes the answer to {@code stats ...}: lines up to a terminating line ({@code END}, {@code RESET}, {@code OK} or
 * an error), kept verbatim as they are relayed to clients.
 */
final class StatsReplyDecoder extends FramedDecoder<byte[]> {

    private final LineScanner lines = new LineScanner();

    @Override
    int frame(ByteBuf in, int start, int end) {
        String line;
        while ((line = lines.next(in, start, end)) != null) {
            if (line.equals("END") || line.equals("RESET") || line.equals("OK") || isErrorLine(line)) {
                return lines.consumed();
            }
        }
        return -1;
    }

    @Override
    byte[] value(ByteBuf in, int start, int length) {
        return ByteBufUtil.getBytes(in, start, length);
    }
}
