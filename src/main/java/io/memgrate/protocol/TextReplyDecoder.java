package io.memgrate.protocol;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import io.memgrate.cluster.Printable;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.ByteProcessor;

/**
 * Frames and parses one upstream reply of the shape its request asks for, in one pass: it finds where the reply ends
 * (resuming where the last call stopped, each byte searched once), refuses it when it is over the limit, consumes it,
 * then reads its value. Every line of a reply must end in {@code \r\n}. Positions are kept relative to the reply's
 * first byte, the reader index, as bytes before it may be discarded between calls.
 */
final class TextReplyDecoder<T> implements ReplyDecoder<T> {

    private static final Pattern VERSION_LINE = Pattern.compile("VERSION [0-9A-Za-z.+_-]{1,64}");

    /** Where a reply ends. */
    enum Framing {
        /** After its header line when that is the whole answer, else after the counted payload and its trailer. */
        COUNTED,
        /** After one line. */
        LINE,
        /** After the first line that is not {@code STAT}: {@code END}, {@code RESET}, {@code OK} or an error. */
        TERMINATED
    }

    /** What a framed reply means. */
    interface Value<T> {
        /**
         * The value of the reply {@code in[start, start + length)} that {@code framed} framed.
         *
         * @throws MalformedReplyException when it says something that breaks the protocol
         */
        T of(TextReplyDecoder<T> framed, ByteBuf in, int start, int length);
    }

    /** What the header line of a counted reply says: the answer when it is all of the reply, else where the payload lies. */
    private record Header(ConfigAnswer answer, int payloadStart, int byteCount, int length) {
    }

    private final Framing framing;
    private final Value<T> value;
    /** Where the next line starts. */
    private int lineStart;
    /** Where the line read last starts. */
    private int lastLineStart;
    /** How far the search for the end of the next line got. */
    private int scanned;
    /** Of a counted reply: null until the header line is whole. */
    private Header header;

    TextReplyDecoder(Framing framing, Value<T> value) {
        this.framing = framing;
        this.value = value;
    }

    @Override
    public T decode(ByteBuf in, int maxBytes) {
        int start = in.readerIndex();
        int end = start + (int) Math.min(in.readableBytes(), maxBytes + 1L);
        int length = switch (framing) {
            case COUNTED -> frameCounted(in, start, end);
            case LINE -> nextLine(in, start, end) < 0 ? -1 : lineStart;
            case TERMINATED -> frameTerminated(in, start, end);
        };
        if (length > maxBytes || (length < 0 && in.readableBytes() > maxBytes)) {
            throw new MalformedReplyException("too-large", "reply is larger than the limit of " + maxBytes + " bytes");
        }
        if (length < 0) {
            return null;
        }
        in.skipBytes(length);
        try {
            return value.of(this, in, start, length);
        } catch (MalformedReplyException e) {
            throw new MalformedContentException(e);
        }
    }

    /**
     * The length of the next line of the reply that starts at {@code start}, without its {@code \r\n}, or -1 when
     * {@code in[start, end)} does not hold all of it yet; it starts at {@code start + lastLineStart}.
     *
     * @throws MalformedReplyException when the line ends in a bare {@code \n}
     */
    private int nextLine(ByteBuf in, int start, int end) {
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

    /**
     * The header line is parsed once: it is the whole answer (an error or {@code END}), or it gives the byte count.
     * The counted payload is not looked at until all of it and its trailer have arrived.
     */
    private int frameCounted(ByteBuf in, int start, int end) {
        if (header == null) {
            int length = nextLine(in, start, end);
            if (length < 0) {
                return -1;
            }
            header = header(text(in, start, start + length), lineStart);
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

    private int frameTerminated(ByteBuf in, int start, int end) {
        int length;
        while ((length = nextLine(in, start, end)) >= 0) {
            // a STAT line, nearly every line of a reply, cannot end it: no String is made of it
            int from = start + lastLineStart;
            if (!StatValues.isStatLine(in, from, length)) {
                String line = text(in, from, from + length);
                if (line.equals("END") || line.equals("RESET") || line.equals("OK") || isErrorLine(line)) {
                    return lineStart;
                }
            }
        }
        return -1;
    }

    /** The value of a counted reply: what its header line says, or the topology its payload lists. */
    ConfigAnswer configAnswer(ByteBuf in, int start, int length) {
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

    /** The value of a {@code VERSION x.y.z} line: the engine version. */
    String engineVersion(ByteBuf in, int start, int length) {
        String line = text(in, start, start + length - 2);
        if (!VERSION_LINE.matcher(line).matches()) {
            throw new MalformedReplyException("version-line", "version answer '" + printable(line) + "' is not 'VERSION <x.y.z>'");
        }
        return line.substring("VERSION ".length());
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
