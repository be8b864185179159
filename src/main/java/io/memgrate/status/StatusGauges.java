package io.memgrate.status;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.memgrate.cluster.Side;
import io.memgrate.cluster.Topology;
import io.memgrate.movement.HashScheme;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

/** The served and upstream state as metrics, read from the {@link StatusSnapshot} at scrape time. */
@ApplicationScoped
public class StatusGauges {

    private final MeterRegistry registry;
    private final MemgrateStatus status;
    /** Removed on shutdown, so a registry that outlives the application never reads a dead bean. */
    private final List<Meter> meters = new CopyOnWriteArrayList<>();

    @Inject
    public StatusGauges(MeterRegistry registry, MemgrateStatus status) {
        this.registry = registry;
        this.status = status;
        meters.add(Gauge.builder("memgrate.served.version", status, served(Topology::version))
                .description("Configuration version served to clients").register(registry));
        meters.add(Gauge.builder("memgrate.served.nodes", status, served(topology -> topology.nodes().size()))
                .description("Nodes in the served configuration").register(registry));
        meters.add(Gauge.builder("memgrate.served.held", status, s -> s.snapshot().held() == null ? 0 : 1)
                .description("1 while a new node list is held back because its version does not rise above the served one")
                .register(registry));
        for (HashScheme scheme : HashScheme.values()) {
            meters.add(Gauge.builder("memgrate.keys.moved.last.change.ratio", status, s -> Optional.ofNullable(s.snapshot().lastChange())
                            .map(change -> change.keysMoved().fractions().get(scheme)).orElse(Double.NaN))
                    .description("Share of keys the last change of the served list moved to another node")
                    .tag("scheme", scheme.label()).register(registry));
            meters.add(Gauge.builder("memgrate.keys.moved.next.step.min.ratio", status, s -> s.nextSteps(s.snapshot()).stream()
                            .mapToDouble(step -> step.keysMoved().fractions().get(scheme)).min().orElse(Double.NaN))
                    .description("Share of keys the gentlest single next step (admit or withdraw one node) would move")
                    .tag("scheme", scheme.label()).register(registry));
        }
        meters.add(Gauge.builder("memgrate.plan.revision", status,
                        s -> s.snapshot().plan() == null ? Double.NaN : s.snapshot().plan().revision())
                .description("Revision of the migration plan applied; absent while none is").register(registry));
    }

    /** Registers the per-upstream meters of a configured side. */
    public void upstreamConfigured(Side side) {
        String tag = side.label();
        meters.add(Gauge.builder("memgrate.served.cluster.nodes", status, s -> s.snapshot().served(side).size())
                .description("Served nodes that this upstream's cluster lists").tag("upstream", tag).register(registry));
        meters.add(Gauge.builder("memgrate.upstream.config.version", status, lastGood(side, Topology::version))
                .description("The upstream's last known good configuration version").tag("upstream", tag).register(registry));
        meters.add(Gauge.builder("memgrate.upstream.nodes", status, lastGood(side, topology -> topology.nodes().size()))
                .description("Nodes in the upstream's last known good configuration").tag("upstream", tag).register(registry));
        meters.add(Gauge.builder("memgrate.upstream.seconds.since.success", status,
                        s -> upstream(s, side).map(StatusSnapshot.UpstreamStatus::sinceSuccess)
                                .map(age -> age.toMillis() / 1000.0).orElse(Double.NaN))
                .description("Seconds since the upstream last answered validly").tag("upstream", tag).register(registry));
        meters.add(FunctionCounter.builder("memgrate.upstream.version.decreases", status,
                        s -> upstream(s, side).map(StatusSnapshot.UpstreamStatus::versionDecreases).orElse(0L))
                .description("Times the upstream's configuration version went down").tag("upstream", tag).register(registry));
    }

    private static ToDoubleFunction<MemgrateStatus> served(ToDoubleFunction<Topology> value) {
        return s -> Optional.ofNullable(s.snapshot().served()).map(value::applyAsDouble).orElse(Double.NaN);
    }

    private static ToDoubleFunction<MemgrateStatus> lastGood(Side side, ToDoubleFunction<Topology> value) {
        return s -> upstream(s, side).map(StatusSnapshot.UpstreamStatus::lastGood).map(value::applyAsDouble)
                .orElse(Double.NaN);
    }

    private static Optional<StatusSnapshot.UpstreamStatus> upstream(MemgrateStatus status, Side side) {
        return status.snapshot().upstreams().stream().filter(upstream -> upstream.side() == side).findFirst();
    }

    @PreDestroy
    void removeMeters() {
        meters.forEach(registry::remove);
    }
}
