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
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Memgrate's counters of events, all named {@code memgrate_*} in Prometheus and tagged {@code upstream} where one is
 * meant. The state metrics (served version, upstream ages) are read from the status snapshot, in {@code status}.
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
        gauges.add(Gauge.builder("memgrate.client.connections", openConnections, AtomicInteger::get)
                .description("Open client connections").register(registry));
        gauges.add(Gauge.builder("memgrate.client.connections.blocked", blockedConnections, AtomicInteger::get)
                .description("Client connections not reading their replies: write queue full, reading paused").register(registry));
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
            gauges.add(FunctionCounter.builder("memgrate.client.requests", count, LongAdder::doubleValue)
                    .description("Client requests by command and outcome")
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
        registry.counter("memgrate.client.connection.errors", "reason", reason).increment();
    }

    public void connectionRejected() {
        registry.counter("memgrate.client.connections.rejected").increment();
    }

    public void badInput(String reason) {
        registry.counter("memgrate.client.bad.input", "reason", reason).increment();
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
        registry.counter("memgrate.client.connections.stalled").increment();
    }

    public void connectionClosed() {
        openConnections.decrementAndGet();
    }

    public void fetched(Side side, long nanos) {
        Timer.builder("memgrate.upstream.fetch").description("Latency of one upstream poll (configuration and version)")
                .tag("upstream", side.label()).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    public void fetchFailed(Side side, String reason) {
        registry.counter("memgrate.upstream.fetch.failures", "upstream", side.label(), "reason", reason).increment();
    }

    /** A {@code stats} request sent to an upstream on behalf of clients. */
    public void statsRequested(Side side) {
        registry.counter("memgrate.upstream.stats.requests", "upstream", side.label()).increment();
    }

    /** A migration plan refused as a whole; the one applied before stays. */
    public void planRefused(String reason) {
        registry.counter("memgrate.plan.refusals", "reason", reason).increment();
    }

    /** A check of the plan file skipped because the read before it has not returned. */
    public void planCheckSkipped() {
        registry.counter("memgrate.plan.checks.skipped").increment();
    }

    /** The autopilot wrote a plan: a step {@code taken}, or a step {@code rolled-back}. */
    public void autopilotStep(String action, String outcome) {
        registry.counter("memgrate.autopilot.steps", "action", action, "outcome", outcome).increment();
    }

    public void resolutionFailed(Side side, String reason) {
        registry.counter("memgrate.aws.resolution.failures", "upstream", side.label(), "reason", reason).increment();
    }
}
