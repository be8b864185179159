package io.memgrate.plan;

/**
 * A plan that cannot be applied; the one served before stays. {@link #reason()} is a short tag for metrics, the
 * message says what to fix.
 */
public class PlanRefusedException extends RuntimeException {

    private final String reason;

    public PlanRefusedException(String reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
