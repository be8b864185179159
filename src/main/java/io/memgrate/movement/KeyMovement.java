package io.memgrate.movement;

import java.util.List;
import java.util.function.Function;

import io.memgrate.cluster.Node;

/**
 * How many keys a change of the served node list moves to another node, and so misses once, for each way clients
 * hash. Computed exactly from the hash space, with keys' hashes taken as uniform over it, not by sampling keys.
 * A key stays where it was when the node that serves it has the same host and port before and after.
 */
public final class KeyMovement {

    /** libmemcached leaves this port out of the name it hashes for a node. */
    private static final int DEFAULT_PORT = 11211;

    private KeyMovement() {
    }

    /**
     * The fraction of keys, 0 to 1, that a client hashing by {@code scheme} sends to another node once its node list
     * changes from {@code before} to {@code after}, both in served order.
     *
     * @throws IllegalArgumentException when either list is empty: a client then serves no key at all
     */
    public static double fraction(HashScheme scheme, List<Node> before, List<Node> after) {
        if (before.isEmpty() || after.isEmpty()) {
            throw new IllegalArgumentException("key movement needs nodes before and after");
        }
        return switch (scheme) {
            case ARRAY_MOD_NATIVE -> arrayModMoved(before, after);
            case KETAMA_AWS_JAVA -> ketamaMoved(before, after, "SHA-384", KeyMovement::awsJavaKey);
            case KETAMA_XMEMCACHED -> ketamaMoved(before, after, "MD5", KeyMovement::socketAddressKey);
            case KETAMA_LIBMEMCACHED -> ketamaMoved(before, after, "MD5", KeyMovement::libmemcachedKey);
        };
    }

    /**
     * Array-mod sends a hash h to index h mod n before and h mod m after. Over the residues of h mod lcm(n, m), by the
     * Chinese remainder theorem, index i before and j after meet in exactly one residue when i and j agree mod
     * gcd(n, m), and never otherwise; a key stays when those two indexes hold the same node.
     */
    private static double arrayModMoved(List<Node> before, List<Node> after) {
        int n = before.size();
        int m = after.size();
        long gcd = gcd(n, m);
        long lcm = (long) n / gcd * m;
        long staying = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                if ((i - j) % gcd == 0 && before.get(i).sameNodeAs(after.get(j))) {
                    staying++;
                }
            }
        }
        return 1 - (double) staying / lcm;
    }

    private static double ketamaMoved(List<Node> before, List<Node> after, String digest,
            Function<Node, String> nodeKey) {
        return KetamaRing.movedShare(KetamaRing.of(before, digest, nodeKey), KetamaRing.of(after, digest, nodeKey));
    }

    /** {@code ip:port}, the listed IP as the AWS Java client connects to it; by host name when none is listed. */
    private static String awsJavaKey(Node node) {
        return node.ip().isEmpty() ? socketAddressKey(node) : node.ip() + ':' + node.port();
    }

    /** {@code host/ip:port}, as Java prints a socket address made from a host name; with no IP, as an unresolved one. */
    private static String socketAddressKey(Node node) {
        return node.host() + '/' + (node.ip().isEmpty() ? "<unresolved>" : node.ip()) + ':' + node.port();
    }

    /** {@code host}, or {@code host:port} off the default port. */
    private static String libmemcachedKey(Node node) {
        return node.port() == DEFAULT_PORT ? node.host() : node.host() + ':' + node.port();
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
