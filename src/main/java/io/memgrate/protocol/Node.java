package io.memgrate.protocol;

import java.util.Objects;

/**
 * One cache node as ElastiCache lists it: {@code host|ip|port}. The IP may be empty ({@code host||port}).
 */
public record Node(String host, String ip, int port) {

    public Node {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(ip, "ip");
    }

    /** Parses one {@code host|ip|port} entry; throws {@link MalformedReplyException} with the reason. */
    public static Node parse(String entry) {
        int first = entry.indexOf('|');
        int second = first < 0 ? -1 : entry.indexOf('|', first + 1);
        if (first < 0 || second < 0 || entry.indexOf('|', second + 1) >= 0) {
            throw new MalformedReplyException("node", "node entry '" + entry + "' is not host|ip|port");
        }
        String host = entry.substring(0, first);
        String ip = entry.substring(first + 1, second);
        String port = entry.substring(second + 1);
        if (host.isEmpty()) {
            throw new MalformedReplyException("node", "node entry '" + entry + "' has an empty host");
        }
        return new Node(host, ip, parsePort(entry, port));
    }

    private static int parsePort(String entry, String port) {
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new MalformedReplyException("node", "node entry '" + entry + "' has no numeric port");
        }
        int value = Integer.parseInt(port);
        if (value < 1 || value > 65535) {
            throw new MalformedReplyException("node", "node entry '" + entry + "' has port " + value + " outside 1-65535");
        }
        return value;
    }

    /** Two entries name the same node when host and port match, whatever IP each carries. */
    public boolean sameNodeAs(Node other) {
        return port == other.port && host.equals(other.host);
    }

    /** The wire form, {@code host|ip|port}. */
    @Override
    public String toString() {
        return host + '|' + ip + '|' + port;
    }
}
