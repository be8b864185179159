package io.memgrate.emulator;

import java.nio.charset.StandardCharsets;

import io.memgrate.protocol.ClientCommand;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;

/**
 * Splits one direction of a memcached text-protocol stream into lines (ended as the server's request lines are,
 * {@link ClientCommand#lineEnd}) and the data blocks that follow some of them
 * ({@code set ... <bytes>} requests, {@code VALUE ... <bytes>} replies), in one pass over the bytes. Data blocks are
 * handed on in chunks as they arrive, never searched for line ends: a value may hold any bytes, command text included.
 */
final class TextStreamSplitter {

    interface Handler {
        /**
         * One complete line, its {@code \n} or {@code \r\n} included. Returns how many data bytes follow it (their
         * trailing {@code \r\n} included), 0 for none.
         */
        long line(Buffer line);

        /** The next chunk of the data block announced by the last line. */
        void data(Buffer chunk);

        /** The data block announced by the last line is complete. */
        default void dataEnd() {
        }

        /** A line grew past the limit without a line end; nothing more is read from this stream. */
        void lineTooLong();
    }

    private final Handler handler;
    private final int maxLineBytes;
    private Buffer partialLine = Buffer.buffer();
    private long dataRemaining;
    private boolean stopped;

    TextStreamSplitter(int maxLineBytes, Handler handler) {
        this.maxLineBytes = maxLineBytes;
        this.handler = handler;
    }

    void feed(Buffer input) {
        ByteBuf bytes = input.getByteBuf();
        int position = 0;
        int length = input.length();
        while (position < length && !stopped) {
            if (dataRemaining > 0) {
                int chunk = (int) Math.min(dataRemaining, length - position);
                handler.data(input.getBuffer(position, position + chunk));
                position += chunk;
                dataRemaining -= chunk;
                if (dataRemaining == 0) {
                    handler.dataEnd();
                }
                continue;
            }
            int lineEnd = ClientCommand.lineEnd(bytes, position, length);
            if (lineEnd < 0) {
                partialLine.appendBuffer(input, position, length - position);
                position = length;
                if (partialLine.length() > maxLineBytes) {
                    stopped = true;
                    handler.lineTooLong();
                }
                continue;
            }
            Buffer line = partialLine.length() == 0 ? input.getBuffer(position, lineEnd + 1)
                    : partialLine.appendBuffer(input, position, lineEnd + 1 - position);
            partialLine = Buffer.buffer();
            position = lineEnd + 1;
            dataRemaining = Math.max(0, handler.line(line));
        }
    }

    /** Ignores everything after the current line: the connection is being closed. */
    void stop() {
        stopped = true;
    }

    /** The text of a line without its {@code \n} or {@code \r\n}. */
    static String text(Buffer line) {
        return line.getString(0, ClientCommand.lineLength(line.getByteBuf(), 0, line.length() - 1),
                StandardCharsets.ISO_8859_1.name());
    }

    /** The number in {@code token}, or -1 when it is not a non-negative decimal integer that fits a long. */
    static long count(String token) {
        if (token.isEmpty() || token.length() > 18 || !token.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Long.parseLong(token);
    }
}
