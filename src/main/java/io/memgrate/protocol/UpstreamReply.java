package io.memgrate.protocol;

import java.nio.charset.StandardCharsets;

/**
 * The shapes of reply Memgrate reads from a configuration endpoint, and how to tell where one ends.
 * Framing works on the bytes received so far and never looks past the first reply, so pipelined
 * replies are taken one at a time.
 */
public enum UpstreamReply {

    /** The answer to {@code config get cluster} or the legacy get: a counted block ended by {@code END}, or an error line. */
    CONFIG {
        @Override
        int frame(byte[] data, int length) {
            int lineEnd = lineEnd(data, length, 0);
            if (lineEnd < 0) {
                return -1;
            }
            String header = new String(data, 0, lineEnd - 2, StandardCharsets.US_ASCII);
            if (isErrorLine(header) || header.equals("END")) {
                return lineEnd;
            }
            if (!header.startsWith("CONFIG ") && !header.startsWith("VALUE ")) {
                throw new MalformedReplyException("unexpected-line", "unexpected reply line '" + printable(header) + "'");
            }
            int byteCount = byteCount(header);
            long total = (long) lineEnd + byteCount + Replies.TRAILER.length;
            if (total > Integer.MAX_VALUE) {
                throw new MalformedReplyException("byte-count", "byte count " + byteCount + " is too large");
            }
            if (length < total) {
                return -1;
            }
            for (int i = 0; i < Replies.TRAILER.length; i++) {
                if (data[lineEnd + byteCount + i] != Replies.TRAILER[i]) {
                    throw new MalformedReplyException("framing", "the " + byteCount + " counted bytes are not followed by \\r\\nEND\\r\\n"
                            + " (wrong byte count or missing END)");
                }
            }
            return (int) total;
        }
    },

    /** A one-line answer, such as {@code VERSION 1.6.22}. */
    LINE {
        @Override
        int frame(byte[] data, int length) {
            return lineEnd(data, length, 0);
        }
    },

    /** The answer to {@code stats ...}: lines up to a terminating line ({@code END}, {@code RESET}, {@code OK} or an error). */
    STATS {
        @Override
        int frame(byte[] data, int length) {
            int start = 0;
            while (true) {
                int lineEnd = lineEnd(data, length, start);
                if (lineEnd < 0) {
                    return -1;
                }
                String line = new String(data, start, lineEnd - 2 - start, StandardCharsets.US_ASCII);
                if (line.equals("END") || line.equals("RESET") || line.equals("OK") || isErrorLine(line)) {
                    return lineEnd;
                }
                start = lineEnd;
            }
        }
    };

    /**
     * Returns the length of the first complete reply in {@code data[0, length)}, or -1 when more bytes are needed.
     *
     * @throws MalformedReplyException when the bytes cannot be a reply of this shape or exceed {@code maxBytes}
     */
    public int completeLength(byte[] data, int length, int maxBytes) {
        int complete = frame(data, Math.min(length, maxBytes + 1));
        if (complete > maxBytes || (complete < 0 && length > maxBytes)) {
            throw new MalformedReplyException("too-large", "reply is larger than the limit of " + maxBytes + " bytes");
        }
        return complete;
    }

    abstract int frame(byte[] data, int length);

    /** The offset just past the {@code \r\n} ending the line that starts at {@code start}, or -1. */
    static int lineEnd(byte[] data, int length, int start) {
        for (int i = start; i < length; i++) {
            if (data[i] == '\n') {
                if (i == start || data[i - 1] != '\r') {
                    throw new MalformedReplyException("line-ending", "reply line not ended by \\r\\n");
                }
                return i + 1;
            }
        }
        return -1;
    }

    public static boolean isErrorLine(String line) {
        return line.equals("ERROR") || line.startsWith("SERVER_ERROR") || line.startsWith("CLIENT_ERROR");
    }

    private static int byteCount(String header) {
        String[] tokens = header.split(" ");
        boolean config = tokens[0].equals("CONFIG") && tokens.length == 4 && tokens[1].equals("cluster");
        boolean legacy = tokens[0].equals("VALUE") && tokens.length == 4 && tokens[1].equals(ClientCommand.LEGACY_CONFIG_KEY);
        if (!config && !legacy) {
            throw new MalformedReplyException("unexpected-line", "unexpected header '" + printable(header) + "'");
        }
        String count = tokens[3];
        if (!Decimal.isDigits(count, 9)) {
            throw new MalformedReplyException("byte-count", "byte count '" + printable(count) + "' is not a number");
        }
        return Integer.parseInt(count);
    }

    static String printable(String text) {
        String shortened = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        return shortened.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
