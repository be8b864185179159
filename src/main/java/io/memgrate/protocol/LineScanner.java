package io.memgrate.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * Reads the {@code \r\n}-ended lines of one reply as its bytes arrive, searching each byte once: a line that arrives
 * in many reads is not searched again from its start. Positions are relative to the reply's first byte.
 */
final class LineScanner {

    /** Where the next line starts. */
    private int lineStart;
    /** Where the line read last starts. */
    private int lastLineStart;
    /** How far the search for the end of the next line got. */
    private int scanned;

    /**
     * The next line of the reply that starts at {@code start}, without its {@code \r\n}, or null when
     * {@code in[start, end)} does not hold all of it yet.
     *
     * @throws MalformedReplyException when the line ends in a bare {@code \n}
     */
    String next(ByteBuf in, int start, int end) {
        int length = nextLength(in, start, end);
        return length < 0 ? null : FramedDecoder.text(in, start + lastLineStart, start + lastLineStart + length);
    }

    /**
     * As {@link #next}, without making a String of the line: its length, or -1 while it is incomplete; it starts at
     * {@code start + }{@link #lastLineStart()}.
     */
    int nextLength(ByteBuf in, int start, int end) {
        int newline = in.forEachByte(start + scanned, end - start - scanned, ByteProcessor.FIND_LF);
        if (newline < 0) {
            scanned = end - start;
            return -1;
        }
        if (newline == start + lineStart || in.getByte(newline - 1) != '\r') {
            throw new MalformedReplyException("line-ending", "reply line not ended by \\r\\n");
        }
        lastLineStart = lineStart;
        lineStart = newline + 1 - start;
        scanned = lineStart;
        return lineStart - 2 - lastLineStart;
    }

    /** Where the line {@link #nextLength} found last starts, relative to the reply's first byte. */
    int lastLineStart() {
        return lastLineStart;
    }

    /** How many bytes the lines read so far take, their line ends included. */
    int consumed() {
        return lineStart;
    }
}
