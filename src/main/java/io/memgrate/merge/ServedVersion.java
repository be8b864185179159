package io.memgrate.merge;

import io.memgrate.cluster.Topology;

/**
 * The one rule for the version Memgrate serves: the primary's version + the secondary's (0 without a secondary) + the
 * migration plan's revision (0 without a plan) + {@code memgrate.version-offset}. It rises whenever a side's version
 * or the plan's revision rises, and clients take a list only at a version above the one they hold.
 */
public final class ServedVersion {

    private ServedVersion() {
    }

    /**
     * @param secondary null when no secondary is configured
     * @throws OverflowException when the sum does not fit the range clients accept
     */
    public static long of(Topology primary, Topology secondary, long planRevision, long versionOffset) {
        long version = primary.version() + (secondary == null ? 0 : secondary.version()) + planRevision + versionOffset;
        if (version < 0 || version > Topology.MAX_VERSION) {
            throw new OverflowException(version);
        }
        return version;
    }

    /** The offset under which a merge now at {@code version} (with {@code versionOffset}) would be at {@code wanted}. */
    public static long offsetReaching(long wanted, long version, long versionOffset) {
        return versionOffset + wanted - version;
    }

    /** The served version left the range clients accept. */
    public static final class OverflowException extends RuntimeException {
        public OverflowException(long version) {
            super("merged version " + version + " is outside 0.." + Topology.MAX_VERSION
                    + "; lower memgrate.version-offset");
        }
    }
}
