package io.memgrate.protocol;

import java.util.LinkedHashMap;
import java.util.Map;

import io.netty.buffer.ByteBuf;

/**
 * The {@code STAT <name> <value>} lines of a cache node's answer to plain {@code stats}, by name. Only a reply of
 * {@code STAT} lines ended by {@code END} is one: an error line or anything else is refused.
 */
public final class StatValues {

    /** Counters are unsigned 64-bit in memcached; Memgrate reads up to 18 digits, which always fit a long. */
    private static final int MAX_DIGITS = 18;

    private final Map<String, String> values;

    private StatValues(Map<String, String> values) {
        this.values = values;
    }

    static StatValues parse(ByteBuf in, int start, int length) {
        String[] lines = FramedDecoder.text(in, start, start + length).split("\r\n");
        String last = lines[lines.length - 1];
        if (!last.equals("END")) {
            throw new MalformedReplyException(FramedDecoder.isErrorLine(last) ? "refused" : "stats-end",
                    "stats answered " + FramedDecoder.printable(last) + " instead of STAT lines ended by END");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < lines.length - 1; i++) {
            String[] fields = lines[i].split(" ", 3);
            if (fields.length != 3 || !fields[0].equals("STAT") || fields[1].isEmpty()) {
                throw new MalformedReplyException("stats-line", "not a STAT <name> <value> line: "
                        + FramedDecoder.printable(lines[i]));
            }
            values.put(fields[1], fields[2]);
        }
        return new StatValues(values);
    }

    /**
     * The counter or gauge {@code name}.
     *
     * @throws MalformedReplyException when the reply lacks it or it is not an unsigned decimal number
     */
    public long number(String name) {
        String value = values.get(name);
        if (value == null) {
            throw new MalformedReplyException("stats-missing", "stats lacks STAT " + name);
        }
        if (!Decimal.isDigits(value, MAX_DIGITS)) {
            throw new MalformedReplyException("stats-value", "STAT " + name + " is not a number below 10^" + MAX_DIGITS
                    + ": " + FramedDecoder.printable(value));
        }
        return Long.parseLong(value);
    }
}
