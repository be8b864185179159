package io.memgrate.movement;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

import io.memgrate.cluster.Node;

/** A ketama continuum: 160 points a node on the 32-bit hash ring, each owning the hashes from the point before it. */
final class KetamaRing {

    static final long RING_SIZE = 1L << 32;

    private static final int DIGESTS_PER_NODE = 40;
    private static final int POINTS_PER_DIGEST = 4;

    private final NavigableMap<Long, Node> points;

    private KetamaRing(NavigableMap<Long, Node> points) {
        this.points = points;
    }

    /**
     * The ring the clients build from {@code nodes}, where {@code nodeKey} is the string a client hashes for a node.
     * Two nodes on one point happen to about one ring of 5,000 with 8 nodes; there the later node keeps the point, as
     * in spymemcached's map, and other clients may differ by that point's one stretch.
     */
    static KetamaRing of(List<Node> nodes, String digestAlgorithm, Function<Node, String> nodeKey) {
        NavigableMap<Long, Node> points = new TreeMap<>();
        for (Node node : nodes) {
            String key = nodeKey.apply(node);
            for (int i = 0; i < DIGESTS_PER_NODE; i++) {
                byte[] digest = digest(digestAlgorithm, key + '-' + i);
                for (int word = 0; word < POINTS_PER_DIGEST; word++) {
                    points.put(littleEndianWord(digest, word), node);
                }
            }
        }
        return new KetamaRing(points);
    }

    /**
     * The share of the ring whose owner changes from {@code before} to {@code after}: between two neighbouring
     * points of either ring, each ring has one owner, that of its first point at or after the stretch.
     */
    static double movedShare(KetamaRing before, KetamaRing after) {
        TreeSet<Long> boundaries = new TreeSet<>(before.points.keySet());
        boundaries.addAll(after.points.keySet());
        long previous = boundaries.last() - RING_SIZE; // the first stretch wraps around from the last point
        long moved = 0;
        for (long boundary : boundaries) {
            if (!before.ownerAt(boundary).sameNodeAs(after.ownerAt(boundary))) {
                moved += boundary - previous;
            }
            previous = boundary;
        }
        return (double) moved / RING_SIZE;
    }

    /** The node a key with this hash goes to: the first point at or after it, past the last point the first. */
    private Node ownerAt(long hash) {
        Map.Entry<Long, Node> point = points.ceilingEntry(hash);
        return (point != null ? point : points.firstEntry()).getValue();
    }

    private static long littleEndianWord(byte[] digest, int word) {
        int at = word * 4;
        return (digest[at + 3] & 0xFFL) << 24 | (digest[at + 2] & 0xFFL) << 16 | (digest[at + 1] & 0xFFL) << 8
                | digest[at] & 0xFFL;
    }

    private static byte[] digest(String algorithm, String text) {
        try {
            return MessageDigest.getInstance(algorithm).digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every JDK", e);
        }
    }
}
