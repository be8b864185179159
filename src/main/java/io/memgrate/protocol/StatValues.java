package io.memgrate.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * The {@code STAT <name> <value>} lines of a cache node's answer to plain {@code stats}, by name. Only a reply of
 * {@code STAT} lines ended by {@code END} is one: an error line or anything else is refused. Kept as the reply's bytes
 * with where each line's name and value are: a reply has some 90 lines of which a reader wants a few, so no String is
 * made of the others.
 */
public final class StatValues {

    /** Counters are unsigned 64-bit in memcached; Memgrate reads up to 18 digits, which always fit a long. */
    private static final int MAX_DIGITS = 18;
    private static final byte[] STAT = "STAT ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "END".getBytes(StandardCharsets.US_ASCII);
    private static final int TYPICAL_LINES = 100;

    private final byte[] reply;
    /** For each STAT line: where its name starts, where it ends (a space follows), where the line ends. */
    private final int[] lines;
    private final int count;

    private StatValues(byte[] reply, int[] lines, int count) {
        this.reply = reply;
        this.lines = lines;
        this.count = count;
    }

    /** Whether {@code in[from, from + length)} starts with {@code STAT }, as every line but the last of a reply. */
    static boolean isStatLine(ByteBuf in, int from, int length) {
        if (length < STAT.length) {
            return false;
        }
        for (int i = 0; i < STAT.length; i++) {
            if (in.getByte(from + i) != STAT[i]) {
                return false;
            }
        }
        return true;
    }

    static StatValues parse(ByteBuf in, int start, int length) {
        byte[] reply = ByteBufUtil.getBytes(in, start, length);
        // room for a memcached 1.6 reply's ~90 lines at once: growing from a few lines was a quarter of what reading
        // 200 nodes a second allocated
        int[] lines = new int[3 * TYPICAL_LINES];
        int count = 0;
        int lineStart = 0;
        // framing made every line end in \r\n
        for (int lineEnd = indexOf(reply, lineStart, '\n') - 1;; lineEnd = indexOf(reply, lineStart, '\n') - 1) {
            if (lineEnd + 2 == reply.length) {
                if (!Arrays.equals(reply, lineStart, lineEnd, END, 0, END.length)) {
                    String last = TextReplyDecoder.text(in, start + lineStart, start + lineEnd);
                    throw new MalformedReplyException(TextReplyDecoder.isErrorLine(last) ? "refused" : "stats-end",
                            "stats answered " + TextReplyDecoder.printable(last) + " instead of STAT lines ended by END");
                }
                return new StatValues(reply, lines, count);
            }
            int nameStart = lineStart + STAT.length;
            int nameEnd = lineEnd - lineStart < STAT.length ? -1 : indexOf(reply, nameStart, ' ');
            if (nameEnd < 0 || nameEnd > lineEnd || nameEnd == nameStart
                    || !Arrays.equals(reply, lineStart, nameStart, STAT, 0, STAT.length)) {
                throw new MalformedReplyException("stats-line", "not a STAT <name> <value> line: "
                        + TextReplyDecoder.printable(TextReplyDecoder.text(in, start + lineStart, start + lineEnd)));
            }
            if (count * 3 == lines.length) {
                lines = Arrays.copyOf(lines, lines.length * 2);
            }
            lines[count * 3] = nameStart;
            lines[count * 3 + 1] = nameEnd;
            lines[count * 3 + 2] = lineEnd;
            count++;
            lineStart = lineEnd + 2;
        }
    }

    private static int indexOf(byte[] bytes, int from, char wanted) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The counter or gauge {@code name}; of lines naming it twice, the last.
     *
     * @throws MalformedReplyException when the reply lacks it or it is not an unsigned decimal number
     */
    public long number(String name) {
        String value = value(name.getBytes(StandardCharsets.US_ASCII));
        if (value == null) {
            throw new MalformedReplyException("stats-missing", "stats lacks STAT " + name);
        }
        if (!Decimal.isDigits(value, MAX_DIGITS)) {
            throw new MalformedReplyException("stats-value", "STAT " + name + " is not a number below 10^" + MAX_DIGITS
                    + ": " + TextReplyDecoder.printable(value));
        }
        return Long.parseLong(value);
    }

    private String value(byte[] name) {
        for (int i = count - 1; i >= 0; i--) {
            int nameStart = lines[i * 3];
            int nameEnd = lines[i * 3 + 1];
            if (Arrays.equals(reply, nameStart, nameEnd, name, 0, name.length)) {
                return new String(reply, nameEnd + 1, lines[i * 3 + 2] - nameEnd - 1, StandardCharsets.US_ASCII);
            }
        }
        return null;
    }
}
