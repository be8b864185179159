package io.memgrate.protocol;

/**
 * An upstream reply that breaks the protocol. {@link #reason()} is a short tag for metrics (framing, version, nodes,
 * ...); the message says how, in words an operator can act on.
 */
public class MalformedReplyException extends RuntimeException {

    private final String reason;

    public MalformedReplyException(String reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
