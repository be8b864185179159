package io.memgrate.status;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Where the autopilot, which sits above the status, publishes what it decided last, so the one {@link StatusSnapshot}
 * carries it to the status page and the metrics.
 */
@ApplicationScoped
public class AutopilotBoard {

    private volatile AutopilotReport report = AutopilotReport.OFF;

    public AutopilotReport report() {
        return report;
    }

    public void publish(AutopilotReport report) {
        this.report = report;
    }
}
