package io.memgrate.movement;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The share of a ketama ring that changes owner from one list to others, worked out from the points that change. Every
 * point of the ring before that stays, with its one slot, in the ring after keeps its stretch's owner: only points of
 * slots removed or added, and points where slots collide (whose keeper may change with the order), can move keys. So a
 * list after costs a walk over those points, a few hundred for a step of one node, not over the whole ring; a change
 * of many nodes is walked over every point instead ({@link KetamaPoints#movedShare}). Not thread-safe.
 */
final class KetamaMovement {

    private static final long NONE = Long.MIN_VALUE;

    private final KetamaPoints points;
    private final KetamaPoints.Ring before;
    private final int[] beforePositions;
    private final int[] identity;
    /** Indexes of the ring's points that more than one slot of the list before sits on. */
    private final int[] collisions;
    /** For the ring's points a list after changes: the call that last marked them, and their keeper after (-1: gone). */
    private final int[] markedIn;
    private final int[] ownerAfter;
    private int calls;

    KetamaMovement(KetamaPoints points, int[] beforePositions, int[] identity) {
        this.points = points;
        this.before = points.ring(beforePositions, identity);
        this.beforePositions = beforePositions;
        this.identity = identity;
        int[] holderStart = before.holderStart();
        this.collisions = IntStream.range(0, before.points().length)
                .filter(i -> holderStart[i + 1] - holderStart[i] > 1).toArray();
        this.markedIn = new int[before.points().length];
        this.ownerAfter = new int[before.points().length];
    }

    /** @param after each slot's position in the list after, -1 when not in it */
    double movedShareTo(int[] after) {
        int[] changed = new int[after.length];
        int removedOrAdded = 0;
        int added = 0;
        for (int slot = 0; slot < after.length; slot++) {
            if (beforePositions[slot] < 0 != after[slot] < 0) {
                changed[removedOrAdded++] = slot;
                added += after[slot] >= 0 ? 1 : 0;
            }
        }
        long[] ring = before.points();
        if ((long) removedOrAdded * KetamaPoints.POINTS_PER_NODE * 2 > ring.length) {
            return points.movedShare(beforePositions, after, identity);
        }
        long[] edits = new long[removedOrAdded * KetamaPoints.POINTS_PER_NODE + collisions.length];
        long[] addedPoints = new long[added * KetamaPoints.POINTS_PER_NODE];
        int edit = 0;
        int addedAt = 0;
        for (int c = 0; c < removedOrAdded; c++) {
            int slot = changed[c];
            for (long point : points.pointsOf(slot)) {
                edits[edit++] = point;
                if (after[slot] >= 0) {
                    addedPoints[addedAt++] = point << 31 | slot;
                }
            }
        }
        for (int collision : collisions) {
            edits[edit++] = ring[collision];
        }
        Arrays.sort(edits);
        Arrays.sort(addedPoints);
        int distinct = 0;
        for (int i = 0; i < edits.length; i++) {
            if (i == 0 || edits[i] != edits[i - 1]) {
                edits[distinct++] = edits[i];
            }
        }
        return movedShare(Arrays.copyOf(edits, distinct), addedPoints, after);
    }

    private double movedShare(long[] edits, long[] addedPoints, int[] after) {
        long[] ring = before.points();
        int[] owners = before.owners();
        int n = ring.length;
        int call = ++calls;
        int[] index = new int[edits.length];
        boolean[] inBefore = new boolean[edits.length];
        int[] keeperAfter = new int[edits.length];
        long highestInserted = NONE;
        int addedAt = 0;
        for (int k = 0; k < edits.length; k++) {
            long point = edits[k];
            int found = Arrays.binarySearch(ring, point);
            inBefore[k] = found >= 0;
            index[k] = found >= 0 ? found : -found - 1;
            int last = -1;
            int keeper = -1;
            if (inBefore[k]) {
                for (int h = before.holderStart()[found]; h < before.holderStart()[found + 1]; h++) {
                    int slot = before.holders()[h];
                    if (after[slot] > last) {
                        last = after[slot];
                        keeper = slot;
                    }
                }
            }
            while (addedAt < addedPoints.length && addedPoints[addedAt] >>> 31 < point) {
                addedAt++;
            }
            for (int a = addedAt; a < addedPoints.length && addedPoints[a] >>> 31 == point; a++) {
                int slot = (int) (addedPoints[a] & Integer.MAX_VALUE);
                if (after[slot] > last) {
                    last = after[slot];
                    keeper = slot;
                }
            }
            keeperAfter[k] = keeper < 0 ? -1 : identity[keeper];
            if (inBefore[k]) {
                markedIn[found] = call;
                ownerAfter[found] = keeperAfter[k];
            } else {
                highestInserted = point; // ascending: the last one is the highest
            }
        }
        // the next point inserted above each edit, wrapping to the lowest one
        int[] nextInserted = new int[edits.length];
        int next = -1;
        for (int pass = 0; pass < 2; pass++) {
            for (int k = edits.length - 1; k >= 0; k--) {
                if (pass == 1) {
                    nextInserted[k] = next;
                }
                if (!inBefore[k]) {
                    next = k;
                }
            }
        }
        long highest = Math.max(ring[n - 1], highestInserted);
        long insertedBelow = NONE;
        long moved = 0;
        for (int k = 0; k < edits.length; k++) {
            long point = edits[k];
            int at = index[k];
            long below = Math.max(at > 0 ? ring[at - 1] : NONE, insertedBelow);
            long previous = below == NONE ? highest - KetamaPoints.RING_SIZE : below;
            int ownerBefore = owners[at == n ? 0 : at];
            int owner = keeperAfter[k] >= 0 ? keeperAfter[k] : ownerAbove(point, inBefore[k] ? at + 1 : at, nextInserted[k],
                    edits, keeperAfter, call);
            if (ownerBefore != owner) {
                moved += point - previous;
            }
            if (!inBefore[k]) {
                insertedBelow = point;
            }
        }
        return (double) moved / KetamaPoints.RING_SIZE;
    }

    /**
     * The keeper after of the first point above {@code point} in the ring after, wrapping: the first point of the ring
     * before from {@code from} on that stays, or the next point inserted, whichever comes first.
     */
    private int ownerAbove(long point, int from, int inserted, long[] edits, int[] keeperAfter, int call) {
        long[] ring = before.points();
        int n = ring.length;
        long nearest = Long.MAX_VALUE;
        int owner = -1;
        for (int step = 0; step < n; step++) {
            int j = (from + step) % n;
            if (markedIn[j] != call || ownerAfter[j] >= 0) {
                nearest = distance(point, ring[j]);
                owner = markedIn[j] == call ? ownerAfter[j] : before.owners()[j];
                break;
            }
        }
        if (inserted >= 0 && distance(point, edits[inserted]) < nearest) {
            owner = keeperAfter[inserted];
        }
        return owner;
    }

    /** How far above {@code from} the ring reaches {@code to}, wrapping: 1 to 2^32. */
    private static long distance(long from, long to) {
        return to > from ? to - from : to - from + KetamaPoints.RING_SIZE;
    }
}
