package io.memgrate.movement;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import io.memgrate.cluster.Node;

/**
 * Which node of a served list a client hashing by a scheme sends a key to: the same rings {@link KeyMovement} measures,
 * for a load that reads and writes keys as such a client would. Not thread-safe (one digest).
 */
public final class KeyPlacement {

    private final HashScheme scheme;
    private final List<Node> nodes;
    /** The ketama ring's points, ascending, and the index in {@code nodes} keeping each; null for array-mod. */
    private final long[] points;
    private final int[] owners;
    private final MessageDigest keyDigest;

    private KeyPlacement(HashScheme scheme, List<Node> nodes) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("a key needs a node to go to");
        }
        this.scheme = scheme;
        this.nodes = List.copyOf(nodes);
        if (scheme == HashScheme.ARRAY_MOD_NATIVE) {
            this.points = null;
            this.owners = null;
            this.keyDigest = null;
        } else {
            int[] slots = IntStream.range(0, nodes.size()).toArray();
            KetamaPoints.Ring ring = KetamaPoints.of(nodes.stream().map(node -> KeyMovement.nodeKey(scheme, node)).toList(),
                    KeyMovement.digestAlgorithm(scheme)).ring(slots, slots);
            this.points = ring.points();
            this.owners = ring.owners();
            this.keyDigest = digest(KeyMovement.digestAlgorithm(scheme));
        }
    }

    /** The placement of keys over {@code nodes}, in served order, for clients hashing by {@code scheme}. */
    public static KeyPlacement of(HashScheme scheme, List<Node> nodes) {
        return new KeyPlacement(scheme, nodes);
    }

    public HashScheme scheme() {
        return scheme;
    }

    public List<Node> nodes() {
        return nodes;
    }

    /** The node {@code key} goes to. */
    public Node nodeFor(String key) {
        if (points == null) {
            long hash = key.hashCode() & 0xFFFFFFFFL;
            return nodes.get((int) (hash % nodes.size()));
        }
        long hash = KetamaPoints.littleEndianWord(keyDigest.digest(key.getBytes(StandardCharsets.UTF_8)), 0);
        int at = Arrays.binarySearch(points, hash);
        int index = at >= 0 ? at : -at - 1;
        // past the highest point, a key wraps around to the lowest
        return nodes.get(owners[index == points.length ? 0 : index]);
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every JDK", e);
        }
    }
}
