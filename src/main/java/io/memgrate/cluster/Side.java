package io.memgrate.cluster;

import java.util.Locale;

/** Which cluster an upstream belongs to: the primary (old) one or the secondary (new) one. */
public enum Side {
    PRIMARY, SECONDARY;

    /** The lower-case name used in logs, metrics tags and JSON. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
