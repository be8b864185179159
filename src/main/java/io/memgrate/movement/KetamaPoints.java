package io.memgrate.movement;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every ketama point of a set of nodes, each node (a slot) placing 160 points on the 2^32 ring, four from each of 40
 * digests of {@code "<node key>-<i>"}, each key digested once. The points of all slots are kept sorted in one array, so
 * the ring of any list of these nodes, and the share of the ring that changes owner between two lists, is one walk
 * over it: no ring is built per list.
 */
final class KetamaPoints {

    static final long RING_SIZE = 1L << 32;

    private static final int DIGESTS_PER_NODE = 40;
    private static final int POINTS_PER_DIGEST = 4;
    static final int POINTS_PER_NODE = DIGESTS_PER_NODE * POINTS_PER_DIGEST;
    /** A point and its slot in one long, the point in the high bits, so sorting the longs sorts by point. */
    private static final int SLOT_BITS = 31;
    private static final long SLOT_MASK = (1L << SLOT_BITS) - 1;

    /** (point << 31 | slot), ascending. */
    private final long[] points;
    /** Each slot's own points, 160 a slot, in slot order. */
    private final long[] slotPoints;

    private KetamaPoints(long[] points, long[] slotPoints) {
        this.points = points;
        this.slotPoints = slotPoints;
    }

    /** @param keys the string a client hashes for each slot's node, by slot */
    static KetamaPoints of(List<String> keys, String digestAlgorithm) {
        MessageDigest digest = digest(digestAlgorithm);
        Map<String, long[]> byKey = new HashMap<>();
        long[] points = new long[keys.size() * POINTS_PER_NODE];
        long[] slotPoints = new long[points.length];
        for (int slot = 0; slot < keys.size(); slot++) {
            long[] own = byKey.computeIfAbsent(keys.get(slot), key -> pointsOf(key, digest));
            System.arraycopy(own, 0, slotPoints, slot * POINTS_PER_NODE, POINTS_PER_NODE);
            for (int i = 0; i < POINTS_PER_NODE; i++) {
                points[slot * POINTS_PER_NODE + i] = own[i] << SLOT_BITS | slot;
            }
        }
        Arrays.sort(points);
        return new KetamaPoints(points, slotPoints);
    }

    private static long[] pointsOf(String key, MessageDigest digest) {
        long[] points = new long[POINTS_PER_NODE];
        for (int i = 0; i < DIGESTS_PER_NODE; i++) {
            byte[] hash = digest.digest((key + '-' + i).getBytes(StandardCharsets.UTF_8));
            for (int word = 0; word < POINTS_PER_DIGEST; word++) {
                points[i * POINTS_PER_DIGEST + word] = littleEndianWord(hash, word);
            }
        }
        return points;
    }

    /**
     * The share of the ring whose owner changes from one list of these nodes to another. A list's ring holds the points
     * of its slots; two slots on one point leave it to the one later in the list, as spymemcached's map does (about one
     * ring of 5,000 with 8 nodes has such a point; other clients may differ by that point's one stretch). Between two
     * neighbouring points of either ring each ring has one owner, that of its first point at or after the stretch, past
     * its last point its first one. Walked from the top down, so the owner above is the one met last.
     *
     * @param before   each slot's position in the list before, -1 when not in it (a slot listed twice: the later one)
     * @param after    the same for the list after
     * @param identity each slot's node identity: equal for two slots when a key on either stays on the same node
     */
    double movedShare(int[] before, int[] after, int[] identity) {
        int ownerBefore = identity[firstOwner(before)];
        int ownerAfter = identity[firstOwner(after)];
        long highest = -1;
        long pending = -1;
        boolean pendingMoved = false;
        long moved = 0;
        int at = points.length - 1;
        while (at >= 0) {
            long point = points[at] >>> SLOT_BITS;
            int lastBefore = -1;
            int winnerBefore = -1;
            int lastAfter = -1;
            int winnerAfter = -1;
            for (; at >= 0 && points[at] >>> SLOT_BITS == point; at--) {
                int slot = (int) (points[at] & SLOT_MASK);
                if (before[slot] > lastBefore) {
                    lastBefore = before[slot];
                    winnerBefore = slot;
                }
                if (after[slot] > lastAfter) {
                    lastAfter = after[slot];
                    winnerAfter = slot;
                }
            }
            if (winnerBefore < 0 && winnerAfter < 0) {
                continue; // a point of neither ring
            }
            if (winnerBefore >= 0) {
                ownerBefore = identity[winnerBefore];
            }
            if (winnerAfter >= 0) {
                ownerAfter = identity[winnerAfter];
            }
            if (highest < 0) {
                highest = point;
            } else if (pendingMoved) {
                moved += pending - point; // the stretch above this point, up to the point met before it
            }
            pending = point;
            pendingMoved = ownerBefore != ownerAfter;
        }
        if (pendingMoved) {
            moved += pending - (highest - RING_SIZE); // the lowest point's stretch wraps around from the highest
        }
        return (double) moved / RING_SIZE;
    }

    /** The points of {@code slot}, 160, in the order digested. */
    long[] pointsOf(int slot) {
        return Arrays.copyOfRange(slotPoints, slot * POINTS_PER_NODE, (slot + 1) * POINTS_PER_NODE);
    }

    /**
     * The ring of one list: its points, each once, ascending, with the identity of the slot that keeps it and every slot
     * of the list on it.
     *
     * @param positions each slot's position in the list, -1 when not in it
     */
    Ring ring(int[] positions, int[] identity) {
        long[] ringPoints = new long[points.length];
        int[] owners = new int[points.length];
        int[] holderStart = new int[points.length + 1];
        int[] holders = new int[points.length];
        int size = 0;
        int held = 0;
        for (int at = 0; at < points.length;) {
            long point = points[at] >>> SLOT_BITS;
            int last = -1;
            int winner = -1;
            int first = held;
            for (; at < points.length && points[at] >>> SLOT_BITS == point; at++) {
                int slot = (int) (points[at] & SLOT_MASK);
                if (positions[slot] >= 0) {
                    holders[held++] = slot;
                    if (positions[slot] > last) {
                        last = positions[slot];
                        winner = slot;
                    }
                }
            }
            if (winner >= 0) {
                ringPoints[size] = point;
                owners[size] = identity[winner];
                holderStart[size] = first;
                size++;
                holderStart[size] = held;
            }
        }
        if (size == 0) {
            throw new IllegalArgumentException("key movement needs nodes before and after");
        }
        return new Ring(Arrays.copyOf(ringPoints, size), Arrays.copyOf(owners, size), Arrays.copyOf(holderStart, size + 1),
                Arrays.copyOf(holders, held));
    }

    /**
     * A list's ring.
     *
     * @param points      its points, ascending, each once
     * @param owners      the identity of the slot keeping each point
     * @param holderStart where each point's slots start in {@code holders}, one more entry marking the end
     * @param holders     the list's slots on each point: more than one where they collide
     */
    record Ring(long[] points, int[] owners, int[] holderStart, int[] holders) {
    }

    /** The slot owning the lowest point of a list's ring, which also owns the hashes past its highest point. */
    private int firstOwner(int[] positions) {
        int at = 0;
        while (at < points.length) {
            long point = points[at] >>> SLOT_BITS;
            int last = -1;
            int winner = -1;
            for (; at < points.length && points[at] >>> SLOT_BITS == point; at++) {
                int slot = (int) (points[at] & SLOT_MASK);
                if (positions[slot] > last) {
                    last = positions[slot];
                    winner = slot;
                }
            }
            if (winner >= 0) {
                return winner;
            }
        }
        throw new IllegalArgumentException("key movement needs nodes before and after");
    }

    static long littleEndianWord(byte[] digest, int word) {
        int at = word * 4;
        return (digest[at + 3] & 0xFFL) << 24 | (digest[at + 2] & 0xFFL) << 16 | (digest[at + 1] & 0xFFL) << 8
                | digest[at] & 0xFFL;
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every JDK", e);
        }
    }
}
