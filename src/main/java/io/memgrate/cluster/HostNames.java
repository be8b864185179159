package io.memgrate.cluster;

import java.util.Optional;

/**
 * The one rule for the host and IP fields of a node, wherever they come from (an upstream's reply, a plan file, the
 * AWS API). A host is a DNS name as RFC 1123 has it: labels of 1-63 letters, digits and hyphens, neither starting nor
 * ending with a hyphen, joined by dots, at most 253 characters. No trailing dot: ElastiCache never lists one, and
 * {@code a.example.} and {@code a.example} would count as two nodes. An IP is an IPv4 dotted quad (no leading zeros,
 * which some parsers read as octal) or an IPv6 address in its text form (no zone, no brackets). Both are decided from
 * the text alone: nothing here looks a name up.
 */
public final class HostNames {

    public static final int MAX_LENGTH = 253;
    public static final int MAX_LABEL_LENGTH = 63;

    private HostNames() {
    }

    /** Why {@code host} is not a DNS name, in words for an error message; empty when it is one. */
    public static Optional<String> problem(String host) {
        if (host.isEmpty()) {
            return Optional.of("it is empty");
        }
        if (host.length() > MAX_LENGTH) {
            return Optional.of("it has " + host.length() + " characters, more than " + MAX_LENGTH);
        }
        int labelStart = 0;
        for (int i = 0; i <= host.length(); i++) {
            char c = i < host.length() ? host.charAt(i) : '.';
            if (c == '.') {
                Optional<String> label = labelProblem(host, labelStart, i);
                if (label.isPresent()) {
                    return label;
                }
                labelStart = i + 1;
            } else if (!isLetterOrDigit(c) && c != '-') {
                return Optional.of("character '" + Printable.escape(String.valueOf(c)) + "' at " + i
                        + " is not a letter, digit, hyphen or dot");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> labelProblem(String host, int start, int end) {
        if (end == start) {
            return Optional.of(end == host.length() ? "it ends with a dot" : "it has an empty label at " + start);
        }
        String label = host.substring(start, end);
        if (label.length() > MAX_LABEL_LENGTH) {
            return Optional.of("label '" + label + "' has " + label.length() + " characters, more than " + MAX_LABEL_LENGTH);
        }
        if (label.startsWith("-") || label.endsWith("-")) {
            return Optional.of("label '" + label + "' starts or ends with a hyphen");
        }
        return Optional.empty();
    }

    /** True when {@code ip} is an IPv4 or IPv6 address literal. */
    public static boolean isIpLiteral(String ip) {
        return isIpv4(ip) || isIpv6(ip);
    }

    private static boolean isIpv4(String ip) {
        String[] parts = ip.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')
                    || !part.chars().allMatch(HostNames::isDigit) || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    /** Eight groups of 1-4 hex digits, the last two of which may be a dotted quad, and one {@code ::} for zeros. */
    private static boolean isIpv6(String ip) {
        int gap = ip.indexOf("::");
        if (gap >= 0 && ip.indexOf("::", gap + 1) >= 0) {
            return false;
        }
        if (gap < 0) {
            return groups(ip, true) == 8;
        }
        int head = gap == 0 ? 0 : groups(ip.substring(0, gap), false);
        int tail = gap + 2 == ip.length() ? 0 : groups(ip.substring(gap + 2), true);
        return head >= 0 && tail >= 0 && head + tail <= 7;
    }

    /**
     * How many 16-bit groups {@code text} holds ({@code group:group:...}, where the last may be a dotted quad worth
     * two when {@code endsTheAddress}), or -1 when it is not such a list.
     */
    private static int groups(String text, boolean endsTheAddress) {
        String[] parts = text.split(":", -1);
        int count = 0;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (endsTheAddress && i == parts.length - 1 && part.indexOf('.') >= 0) {
                if (!isIpv4(part)) {
                    return -1;
                }
                count += 2;
            } else if (part.isEmpty() || part.length() > 4 || !part.chars().allMatch(HostNames::isHexDigit)) {
                return -1;
            } else {
                count++;
            }
        }
        return count;
    }

    private static boolean isLetterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c);
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHexDigit(int c) {
        return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
