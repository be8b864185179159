package io.memgrate.merge;

/** A change of the served list, from one served version to the next, and the keys it moved. */
public record ServedChange(long fromVersion, long toVersion, KeysMoved keysMoved) {
}
