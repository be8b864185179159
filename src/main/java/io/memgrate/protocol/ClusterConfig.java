package io.memgrate.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The payload of a configuration endpoint's answer: a version and the cluster's nodes.
 * On the wire it is {@code <version>\n<node> <node> ...\n}.
 */
public record ClusterConfig(long version, List<Node> nodes) {

    /** Several clients parse the version as a signed 32-bit integer, so nothing above this is accepted or served. */
    public static final long MAX_VERSION = Integer.MAX_VALUE;

    public ClusterConfig {
        if (version < 0 || version > MAX_VERSION) {
            throw new IllegalArgumentException("version " + version + " is outside 0.." + MAX_VERSION);
        }
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("a cluster configuration needs at least one node");
        }
        nodes = List.copyOf(nodes);
    }

    /** Parses the payload bytes (exactly the counted bytes of a reply). */
    public static ClusterConfig parsePayload(byte[] payload) {
        String text = new String(payload, StandardCharsets.US_ASCII);
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
            nodes.add(Node.parse(entry));
        }
        return new ClusterConfig(version, nodes);
    }

    private static long parseVersion(String text) {
        if (text.isEmpty() || text.length() > 10 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new MalformedReplyException("version", "version '" + text + "' is not a non-negative integer");
        }
        long version = Long.parseLong(text);
        if (version > MAX_VERSION) {
            throw new MalformedReplyException("version", "version " + version + " does not fit a signed 32-bit integer");
        }
        return version;
    }

    /** The payload bytes: {@code <version>\n<node> <node> ...\n}. */
    public byte[] payload() {
        StringBuilder text = new StringBuilder(16 + nodes.size() * 48).append(version).append('\n');
        for (int i = 0; i < nodes.size(); i++) {
            if (i > 0) {
                text.append(' ');
            }
            text.append(nodes.get(i));
        }
        return text.append('\n').toString().getBytes(StandardCharsets.US_ASCII);
    }
}
