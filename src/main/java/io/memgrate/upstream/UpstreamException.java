package io.memgrate.upstream;

/** An exchange with an upstream failed; {@link #reason()} is a short tag for metrics, the message is for humans. */
public class UpstreamException extends RuntimeException {

    private final String reason;

    public UpstreamException(String reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
