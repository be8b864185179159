package io.memgrate.discovery;

/**
 * Resolving a cluster ID failed. {@link #reason()} is a short tag for metrics; the message tells an operator what to do.
 */
public class DiscoveryException extends RuntimeException {

    private final String reason;

    public DiscoveryException(String reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
