package io.memgrate.protocol;

import io.memgrate.cluster.Printable;

/**
 * An upstream reply that breaks the protocol. {@link #reason()} is a short tag for metrics (framing, version, nodes,
 * ...); the message says how, in words an operator can act on. It quotes what the upstream sent, escaped
 * ({@link Printable}), as it ends up in logs, the status and {@code stats} error replies.
 */
public class MalformedReplyException extends RuntimeException {

    private final String reason;

    public MalformedReplyException(String reason, String message) {
        super(Printable.escape(message), null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
