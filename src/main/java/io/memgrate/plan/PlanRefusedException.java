package io.memgrate.plan;

import io.memgrate.cluster.Printable;

/**
 * A plan that cannot be applied; the one served before stays. {@link #reason()} is a short tag for metrics, the
 * message says what to fix. It may quote the file, so it is escaped ({@link Printable}) before it reaches a log line.
 */
public class PlanRefusedException extends RuntimeException {

    private final String reason;

    public PlanRefusedException(String reason, String message) {
        super(Printable.escape(message), null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
