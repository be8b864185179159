package io.memgrate.cluster;

import java.util.Objects;

/** One cache node as ElastiCache lists it: a host name, an IP address that may be empty, and a port. */
public record Node(String host, String ip, int port) {

    public Node {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(ip, "ip");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("a node needs a host name");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1-65535");
        }
    }

    /** Two entries name the same node when host and port match, whatever IP each carries. */
    public boolean sameNodeAs(Node other) {
        return port == other.port && host.equals(other.host);
    }

    /** The node's host name and port, which name it whatever IP it carries ({@link #sameNodeAs}). */
    public HostAndPort hostAndPort() {
        return new HostAndPort(host, port);
    }

    /** {@code host|ip|port}: the form ElastiCache lists a node in, used on the wire, in logs and in the status. */
    @Override
    public String toString() {
        return host + '|' + ip + '|' + port;
    }
}
