package io.memgrate.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.memgrate.cluster.HostNames;
import io.memgrate.cluster.Node;
import io.memgrate.cluster.Topology;

/**
 * The counted payload of a configuration reply: {@code <version>\n<host|ip|port> <host|ip|port> ...\n}. Parsing is
 * strict: one wrong byte and the whole reply is refused, so a garbled topology is never served.
 */
public final class TopologyPayload {

    private TopologyPayload() {
    }

    /**
     * Parses the payload bytes (exactly the counted bytes of a reply); throws {@link MalformedReplyException}. Read as
     * ISO-8859-1, one character per byte, so a stray byte is named exactly ({@code \xNN}) in the message.
     */
    public static Topology parse(byte[] payload) {
        String text = new String(payload, StandardCharsets.ISO_8859_1);
        int firstNewline = text.indexOf('\n');
        if (firstNewline < 0 || !text.endsWith("\n") || firstNewline == text.length() - 1) {
            throw new MalformedReplyException("payload", "payload is not '<version>\\n<nodes>\\n'");
        }
        long version = parseVersion(text.substring(0, firstNewline));
        String nodeLine = text.substring(firstNewline + 1, text.length() - 1);
        if (nodeLine.indexOf('\n') >= 0 || nodeLine.indexOf('\r') >= 0) {
            throw new MalformedReplyException("payload", "payload has more than one node line");
        }
        if (nodeLine.isEmpty()) {
            throw new MalformedReplyException("nodes", "payload lists no nodes");
        }
        List<Node> nodes = new ArrayList<>();
        for (String entry : nodeLine.split(" ", -1)) {
            if (entry.isEmpty()) {
                throw new MalformedReplyException("nodes", "payload has an empty node entry in '" + nodeLine + "'");
            }
            nodes.add(parseNode(entry));
        }
        return new Topology(version, nodes);
    }

    private static long parseVersion(String text) {
        if (!Decimal.isDigits(text, 10)) {
            throw new MalformedReplyException("version", "version '" + text + "' is not a non-negative integer");
        }
        long version = Long.parseLong(text);
        if (version > Topology.MAX_VERSION) {
            throw new MalformedReplyException("version", "version " + version + " does not fit a signed 32-bit integer");
        }
        return version;
    }

    /**
     * Parses one {@code host|ip|port} entry; the IP may be empty ({@code host||port}). The host must be a DNS name and
     * the IP an address literal ({@link HostNames}): clients connect to what is listed, and it is logged.
     */
    public static Node parseNode(String entry) {
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
        if (!Decimal.isDigits(port, 5)) {
            throw new MalformedReplyException("node", "node entry '" + entry + "' has no numeric port");
        }
        int value = Integer.parseInt(port);
        if (value < 1 || value > 65535) {
            throw new MalformedReplyException("node", "node entry '" + entry + "' has port " + value + " outside 1-65535");
        }
        HostNames.problem(host).ifPresent(problem -> {
            throw new MalformedReplyException("host", "node entry '" + entry + "' has a host that is not a DNS name: "
                    + problem);
        });
        if (!ip.isEmpty() && !HostNames.isIpLiteral(ip)) {
            throw new MalformedReplyException("ip", "node entry '" + entry + "' has '" + ip + "' as its IP, which is"
                    + " neither empty nor an IPv4 or IPv6 address");
        }
        return new Node(host, ip, value);
    }

    /** The payload bytes: {@code <version>\n<node> <node> ...\n}, each node as {@link Node#toString()}. */
    public static byte[] of(Topology topology) {
        List<Node> nodes = topology.nodes();
        StringBuilder text = new StringBuilder(16 + nodes.size() * 48).append(topology.version()).append('\n');
        for (int i = 0; i < nodes.size(); i++) {
            if (i > 0) {
                text.append(' ');
            }
            text.append(nodes.get(i));
        }
        return text.append('\n').toString().getBytes(StandardCharsets.US_ASCII);
    }
}
