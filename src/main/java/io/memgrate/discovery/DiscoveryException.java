package io.memgrate.discovery;

import io.memgrate.cluster.Printable;

/**
 * Resolving a cluster ID failed. {@link #reason()} is a short tag for metrics; the message tells an operator what to do.
 * It may quote what the AWS API answered, so it is escaped ({@link Printable}) before it reaches a log line.
 */
public class DiscoveryException extends RuntimeException {

    private final String reason;

    public DiscoveryException(String reason, String message) {
        super(Printable.escape(message), null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
