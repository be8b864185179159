package io.memgrate.cluster;

/**
 * Outside text (an upstream's bytes, a plan file, an AWS answer) made fit for a log line, a status field or an error
 * reply: every character but printable ASCII is written as {@code \xNN} (as {@code \x{NNNN}} above U+00FF), so a control
 * byte can never reach a terminal or split a line. Backslashes are kept, so escaping twice changes nothing.
 */
public final class Printable {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Printable() {
    }

    /** {@code text} with every character outside {@code 0x20-0x7e} escaped. */
    public static String escape(String text) {
        int first = 0;
        while (first < text.length() && isPrintable(text.charAt(first))) {
            first++;
        }
        if (first == text.length()) {
            return text;
        }
        StringBuilder escaped = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isPrintable(c)) {
                escaped.append(c);
            } else if (c <= 0xff) {
                escaped.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else {
                escaped.append("\\x{").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf])
                        .append(HEX[c & 0xf]).append('}');
            }
        }
        return escaped.toString();
    }

    /** {@link #escape} of at most the first {@code maxChars} characters, with {@code ...} when cut. */
    public static String shortened(String text, int maxChars) {
        return escape(text.length() > maxChars ? text.substring(0, maxChars) + "..." : text);
    }

    private static boolean isPrintable(char c) {
        return c >= 0x20 && c <= 0x7e;
    }
}
