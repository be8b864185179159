package io.memgrate.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * Decodes the answer to {@code config get cluster} or the legacy get in one pass. The header line is parsed once: it
 * is the whole answer (an error or {@code END}), or it gives the byte count. The counted payload is not looked at
 * until all of it and its trailer have arrived; then the trailer is checked and the payload handed to
 * {@link TopologyPayload}.
 */
final class ConfigReplyDecoder extends FramedDecoder<ConfigAnswer> {

    private final LineScanner lines = new LineScanner();
    /** Null until the header line is whole. */
    private Header header;

    /** What the header line says: the answer when it is all of the reply, else where the payload lies. */
    private record Header(ConfigAnswer answer, int payloadStart, int byteCount, int length) {
    }

    @Override
    int frame(ByteBuf in, int start, int end) {
        if (header == null) {
            String line = lines.next(in, start, end);
            if (line == null) {
                return -1;
            }
            header = header(line, lines.consumed());
        }
        if (header.answer() != null) {
            return header.length();
        }
        if (end - start < header.length()) {
            return -1;
        }
        checkTrailer(in, start + header.payloadStart() + header.byteCount(), header.byteCount());
        return header.length();
    }

    @Override
    ConfigAnswer value(ByteBuf in, int start, int length) {
        if (header.answer() != null) {
            return header.answer();
        }
        byte[] payload = ByteBufUtil.getBytes(in, start + header.payloadStart(), header.byteCount());
        try {
            return new ConfigAnswer.Found(TopologyPayload.parse(payload));
        } catch (IllegalArgumentException e) {
            throw new MalformedReplyException("payload", e.getMessage());
        }
    }

    private static Header header(String line, int lineLength) {
        ConfigAnswer answer = lineAnswer(line);
        if (answer != null) {
            return new Header(answer, lineLength, 0, lineLength);
        }
        if (!line.startsWith("CONFIG ") && !line.startsWith("VALUE ")) {
            throw new MalformedReplyException("unexpected-line", "unexpected reply line '" + printable(line) + "'");
        }
        int byteCount = byteCount(line);
        long length = (long) lineLength + byteCount + Replies.TRAILER.length;
        if (length > Integer.MAX_VALUE) {
            throw new MalformedReplyException("byte-count", "byte count " + byteCount + " is too large");
        }
        return new Header(null, lineLength, byteCount, (int) length);
    }

    /** The answer a one-line reply gives, or null when the line is the header of a counted reply. */
    private static ConfigAnswer lineAnswer(String line) {
        if (line.equals("ERROR")) {
            return new ConfigAnswer.UnknownCommand();
        }
        if (isErrorLine(line)) {
            return new ConfigAnswer.Refused(printable(line));
        }
        if (line.equals("END")) {
            return new ConfigAnswer.Refused("the endpoint holds no " + ClientCommand.LEGACY_CONFIG_KEY
                    + " key; it is not a configuration endpoint");
        }
        return null;
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

    private static void checkTrailer(ByteBuf in, int from, int byteCount) {
        for (int i = 0; i < Replies.TRAILER.length; i++) {
            if (in.getByte(from + i) != Replies.TRAILER[i]) {
                throw new MalformedReplyException("framing", "the " + byteCount + " counted bytes are not followed by \\r\\nEND\\r\\n"
                        + " (wrong byte count or missing END)");
            }
        }
    }
}
