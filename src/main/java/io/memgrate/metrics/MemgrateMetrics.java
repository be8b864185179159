package io.memgrate.metrics;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.memgrate.cluster.Side;
import io.memgrate.protocol.ClientCommand;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Memgrate's counters of events, named and described in {@link Metric}. The state metrics (served version, upstream
 * ages) are read from the status snapshot, in {@code status}.
 */
@ApplicationScoped
public class MemgrateMetrics {

    /** How a client request ended. */
    public enum Outcome {
        OK, NOT_READY, FAILED;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicInteger blockedConnections = new AtomicInteger();
    /**
     * Meters that read beans or this bean's counts; removed on shutdown so a registry that outlives the application
     * never reads a dead one.
     */
    private final List<Meter> gauges = new CopyOnWriteArrayList<>();
    /**
     * Client requests by command and outcome: counted on every request (the hot path) into plain adders that
     * Prometheus reads at scrape time, which costs less than incrementing a meter of the composite registry.
     */
    private final LongAdder[][] requests = new LongAdder[ClientCommand.Kind.values().length][Outcome.values().length];

    @Inject
    public MemgrateMetrics(MeterRegistry registry) {
        this.registry = registry;
        gauges.add(Gauge.builder(Metric.CLIENT_CONNECTIONS.meterName(), openConnections, AtomicInteger::get)
                .description(Metric.CLIENT_CONNECTIONS.help()).register(registry));
        gauges.add(Gauge.builder(Metric.CLIENT_CONNECTIONS_BLOCKED.meterName(), blockedConnections, AtomicInteger::get)
                .description(Metric.CLIENT_CONNECTIONS_BLOCKED.help()).register(registry));
        // every autopilot step series from the start, at 0: the dashboard and the alerts have them before the first
        // step, and a first rollback shows as an increase
        for (String action : List.of("admit", "withdraw")) {
            for (String outcome : List.of("taken", "rolled-back")) {
                counter(Metric.AUTOPILOT_STEPS, "action", action, "outcome", outcome);
            }
        }
    }

    @PreDestroy
    void removeGauges() {
        gauges.forEach(registry::remove);
    }

    public void request(ClientCommand.Kind kind, Outcome outcome) {
        LongAdder count = requests[kind.ordinal()][outcome.ordinal()];
        if (count == null) {
            count = registerRequests(kind, outcome);
        }
        count.increment();
    }

    /** Registered on first use, so only combinations that happen show up. */
    private synchronized LongAdder registerRequests(ClientCommand.Kind kind, Outcome outcome) {
        LongAdder count = requests[kind.ordinal()][outcome.ordinal()];
        if (count == null) {
            count = new LongAdder();
            gauges.add(FunctionCounter.builder(Metric.CLIENT_REQUESTS.meterName(), count, LongAdder::doubleValue)
                    .description(Metric.CLIENT_REQUESTS.help())
                    .tag("command", kind.name().toLowerCase(Locale.ROOT)).tag("outcome", outcome.tag()).register(registry));
            requests[kind.ordinal()][outcome.ordinal()] = count;
        }
        return count;
    }

    public void connectionOpened() {
        openConnections.incrementAndGet();
    }

    /** A client connection failed: reset by the client ({@code io}), a failed TLS handshake, or anything else. */
    public void connectionFailed(String reason) {
        counter(Metric.CLIENT_CONNECTION_ERRORS, "reason", reason).increment();
    }

    public void connectionRejected() {
        counter(Metric.CLIENT_CONNECTIONS_REJECTED).increment();
    }

    public void badInput(String reason) {
        counter(Metric.CLIENT_BAD_INPUT, "reason", reason).increment();
    }

    /** A client's write queue filled up (true) or drained or closed (false). */
    public void clientBlocked(boolean blocked) {
        if (blocked) {
            blockedConnections.incrementAndGet();
        } else {
            blockedConnections.decrementAndGet();
        }
    }

    public void clientStalled() {
        counter(Metric.CLIENT_CONNECTIONS_STALLED).increment();
    }

    public void connectionClosed() {
        openConnections.decrementAndGet();
    }

    public void fetched(Side side, long nanos) {
        Timer.builder(Metric.UPSTREAM_FETCH.meterName()).description(Metric.UPSTREAM_FETCH.help())
                .tag("upstream", side.label()).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    public void fetchFailed(Side side, String reason) {
        counter(Metric.UPSTREAM_FETCH_FAILURES, "upstream", side.label(), "reason", reason).increment();
    }

    /** A {@code stats} request sent to an upstream on behalf of clients. */
    public void statsRequested(Side side) {
        counter(Metric.UPSTREAM_STATS_REQUESTS, "upstream", side.label()).increment();
    }

    /** A migration plan refused as a whole; the one applied before stays. */
    public void planRefused(String reason) {
        counter(Metric.PLAN_REFUSALS, "reason", reason).increment();
    }

    /** A check of the plan file skipped because the read before it has not returned. */
    public void planCheckSkipped() {
        counter(Metric.PLAN_CHECKS_SKIPPED).increment();
    }

    /** The autopilot wrote a plan: a step {@code taken}, or a step {@code rolled-back}. */
    public void autopilotStep(String action, String outcome) {
        counter(Metric.AUTOPILOT_STEPS, "action", action, "outcome", outcome).increment();
    }

    public void resolutionFailed(Side side, String reason) {
        counter(Metric.AWS_RESOLUTION_FAILURES, "upstream", side.label(), "reason", reason).increment();
    }

    /** The counter of {@code metric} with these tags (name, value, ...), registered at its first use. */
    private Counter counter(Metric metric, String... tags) {
        return Counter.builder(metric.meterName()).description(metric.help()).tags(tags).register(registry);
    }
}
