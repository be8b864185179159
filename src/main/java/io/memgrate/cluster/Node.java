package io.memgrate.cluster;

import java.util.Objects;

/**
 * One cache node as ElastiCache lists it: a host name, an IP address that may be empty, and a port. Both are checked
 * by {@link HostNames}, so a node's text is always fit for the wire and for a log line.
 */
public record Node(String host, String ip, int port) {

    public Node {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(ip, "ip");
        HostNames.problem(host).ifPresent(problem -> {
            throw new IllegalArgumentException("host '" + Printable.escape(host) + "' is not a DNS name: " + problem);
        });
        if (!ip.isEmpty() && !HostNames.isIpLiteral(ip)) {
            throw new IllegalArgumentException("IP '" + Printable.escape(ip) + "' is neither empty nor an IPv4 or IPv6 address");
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
