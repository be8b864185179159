package io.memgrate.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Decodes the answer to {@code stats ...}: lines up to a terminating line ({@code END}, {@code RESET}, {@code OK} or
 * an error), then reads its value: the bytes verbatim, as they are relayed to clients, or the {@code STAT} lines.
 */
final class StatsReplyDecoder<T> extends FramedDecoder<T> {

    /** What a framed reply means. */
    interface Value<T> {
        /**
         * @throws MalformedReplyException when the reply says something that breaks the protocol
         */
        T of(ByteBuf in, int start, int length);
    }

    private final LineScanner lines = new LineScanner();
    private final Value<T> value;

    StatsReplyDecoder(Value<T> value) {
        this.value = value;
    }

    @Override
    int frame(ByteBuf in, int start, int end) {
        int length;
        while ((length = lines.nextLength(in, start, end)) >= 0) {
            // a STAT line, nearly every line of a reply, cannot end it: no String is made of it
            int from = start + lines.lastLineStart();
            if (!StatValues.isStatLine(in, from, length)) {
                String line = text(in, from, from + length);
                if (line.equals("END") || line.equals("RESET") || line.equals("OK") || isErrorLine(line)) {
                    return lines.consumed();
                }
            }
        }
        return -1;
    }

    @Override
    T value(ByteBuf in, int start, int length) {
        return value.of(in, start, length);
    }
}
