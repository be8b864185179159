package io.memgrate.movement;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;

import io.memgrate.cluster.Node;

/**
 * The straightforward key movement {@link KeyMovement} replaced, kept to check it and to measure it against: a
 * {@link TreeMap} ring per list (a fresh digest per point, a later node overwriting an earlier one's point, as
 * spymemcached's map does), the share moved walked over every point of both rings with {@code ceilingEntry}, and
 * array-mod counted over every pair of indexes.
 */
public final class ReferenceKeyMovement {

    private static final int DIGESTS_PER_NODE = 40;
    private static final int POINTS_PER_DIGEST = 4;

    private ReferenceKeyMovement() {
    }

    public static double fraction(HashScheme scheme, List<Node> before, List<Node> after) {
        if (before.isEmpty() || after.isEmpty()) {
            throw new IllegalArgumentException("key movement needs nodes before and after");
        }
        if (scheme == HashScheme.ARRAY_MOD_NATIVE) {
            return arrayModMoved(before, after);
        }
        return movedShare(ring(scheme, before), ring(scheme, after));
    }

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

    private static NavigableMap<Long, Node> ring(HashScheme scheme, List<Node> nodes) {
        NavigableMap<Long, Node> points = new TreeMap<>();
        for (Node node : nodes) {
            String key = KeyMovement.nodeKey(scheme, node);
            for (int i = 0; i < DIGESTS_PER_NODE; i++) {
                byte[] digest = digest(KeyMovement.digestAlgorithm(scheme), key + '-' + i);
                for (int word = 0; word < POINTS_PER_DIGEST; word++) {
                    points.put(KetamaPoints.littleEndianWord(digest, word), node);
                }
            }
        }
        return points;
    }

    private static double movedShare(NavigableMap<Long, Node> before, NavigableMap<Long, Node> after) {
        TreeSet<Long> boundaries = new TreeSet<>(before.keySet());
        boundaries.addAll(after.keySet());
        long previous = boundaries.last() - KetamaPoints.RING_SIZE;
        long moved = 0;
        for (long boundary : boundaries) {
            if (!ownerAt(before, boundary).sameNodeAs(ownerAt(after, boundary))) {
                moved += boundary - previous;
            }
            previous = boundary;
        }
        return (double) moved / KetamaPoints.RING_SIZE;
    }

    private static Node ownerAt(NavigableMap<Long, Node> points, long hash) {
        Map.Entry<Long, Node> point = points.ceilingEntry(hash);
        return (point != null ? point : points.firstEntry()).getValue();
    }

    private static byte[] digest(String algorithm, String text) {
        try {
            return MessageDigest.getInstance(algorithm).digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every JDK", e);
        }
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
