package io.memgrate.status;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.ToDoubleFunction;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.memgrate.cluster.Side;
import io.memgrate.cluster.Topology;
import io.memgrate.merge.MergedView;
import io.memgrate.movement.HashScheme;
import io.memgrate.nodestats.IntervalRates;
import io.memgrate.nodestats.NodeStatsBook;
import io.memgrate.nodestats.NodesReport;
import io.memgrate.nodestats.StatsSample;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The served, upstream and node state as metrics, read from the {@link StatusSnapshot} at scrape time. A node's series
 * exist while its cluster lists it.
 */
@ApplicationScoped
public class StatusGauges {

    private final MeterRegistry registry;
    private final MemgrateStatus status;
    /** Removed on shutdown, so a registry that outlives the application never reads a dead bean. */
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    /** Each listed node's meters, removed when its cluster no longer lists it, so node series stay bounded. */
    private final Map<NodeStatsBook.ListedNode, List<Meter>> nodeMeters = new ConcurrentHashMap<>();

    @Inject
    public StatusGauges(MeterRegistry registry, MemgrateStatus status, MergedView view, NodeStatsBook nodeStats) {
        this.registry = registry;
        this.status = status;
        nodeStats.addListener(new NodeStatsBook.Listener() {
            @Override
            public void listed(NodeStatsBook.ListedNode node) {
                nodeListed(node);
            }

            @Override
            public void unlisted(NodeStatsBook.ListedNode node) {
                List<Meter> removed = nodeMeters.remove(node);
                if (removed != null) {
                    removed.forEach(registry::remove);
                    meters.removeAll(removed);
                }
            }
        });
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
            meters.add(Gauge.builder("memgrate.keys.moved.next.step.min.ratio", status, s -> s.nextSteps().steps().stream()
                            .mapToDouble(step -> step.keysMoved().fractions().get(scheme)).min().orElse(Double.NaN))
                    .description("Share of keys the gentlest single next step (admit or withdraw one node) would move, as"
                            + " last worked out")
                    .tag("scheme", scheme.label()).register(registry));
        }
        meters.add(FunctionCounter.builder("memgrate.next.steps.computations", view, MergedView::nextStepsComputations)
                .description("Times the next steps were worked out, once after each change of their inputs")
                .register(registry));
        meters.add(Gauge.builder("memgrate.next.steps.last.seconds", view, MergedView::nextStepsLastSeconds)
                .description("How long working out the next steps took the last time").register(registry));
        meters.add(Gauge.builder("memgrate.served.hit.ratio", status,
                        s -> ratio(s.snapshot().nodes().nextStep().servedHitRatio()))
                .description("Hit ratio of the served nodes over the last node statistics interval, weighted by their gets")
                .register(registry));
        meters.add(Gauge.builder("memgrate.next.step.safe", status, s -> s.snapshot().nodes().nextStep().safe() ? 1 : 0)
                .description("1 when the next migration step looks safe: the node admitted last is warm, no served node is"
                        + " unreachable, the served hit ratio has not fallen by more than the warm margin since the last step")
                .register(registry));
        meters.add(Gauge.builder("memgrate.plan.revision", status,
                        s -> s.snapshot().plan() == null ? Double.NaN : s.snapshot().plan().revision())
                .description("Revision of the migration plan applied; absent while none is").register(registry));
        meters.add(Gauge.builder("memgrate.plan.read.hanging", status, s -> s.snapshot().planReadHangingSince() == null ? 0 : 1)
                .description("1 while a read of the plan file has not returned (a FIFO, a hung mount): plan checks are"
                        + " skipped meanwhile").register(registry));
        for (AutopilotReport.State state : AutopilotReport.State.values()) {
            meters.add(Gauge.builder("memgrate.autopilot.state", status, s -> s.snapshot().autopilot().state() == state ? 1 : 0)
                    .description("1 for the autopilot's current state: off, waiting, paused or complete")
                    .tag("state", state.label()).register(registry));
        }
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

    /** Registers the meters of a node a cluster lists, tagged with the cluster and the node's {@code host:port}. */
    private void nodeListed(NodeStatsBook.ListedNode listed) {
        List<Meter> registered = new ArrayList<>();
        BiConsumer<String, ToDoubleFunction<NodesReport.NodeReport>> gauge = (name, value) -> registered.add(
                Gauge.builder(name, status, s -> Optional.ofNullable(s.snapshot().nodes().node(listed.side(), listed.node()))
                                .map(value::applyAsDouble).orElse(Double.NaN))
                        .tag("cluster", listed.side().label()).tag("node", listed.node().toString()).register(registry));
        gauge.accept("memgrate.node.reachable", node -> node.reading().reachable() == null ? Double.NaN
                : node.reading().reachable() ? 1 : 0);
        gauge.accept("memgrate.node.served", node -> node.admission() == NodesReport.Admission.SERVED ? 1 : 0);
        gauge.accept("memgrate.node.warm", node -> Boolean.TRUE.equals(node.warm()) ? 1 : 0);
        gauge.accept("memgrate.node.hit.ratio", rates(IntervalRates::hitRatio));
        gauge.accept("memgrate.node.gets.per.second", rates(IntervalRates::getsPerSecond));
        gauge.accept("memgrate.node.sets.per.second", rates(IntervalRates::setsPerSecond));
        gauge.accept("memgrate.node.evictions.per.second", rates(IntervalRates::evictionsPerSecond));
        gauge.accept("memgrate.node.items", sample(StatsSample::items));
        gauge.accept("memgrate.node.bytes.used.ratio", sample(StatsSample::bytesUsedRatio));
        gauge.accept("memgrate.node.connections", sample(StatsSample::connections));
        nodeMeters.put(listed, registered);
        meters.addAll(registered);
    }

    private static ToDoubleFunction<NodesReport.NodeReport> rates(ToDoubleFunction<IntervalRates> value) {
        return node -> node.reading().rates() == null ? Double.NaN : value.applyAsDouble(node.reading().rates());
    }

    private static ToDoubleFunction<NodesReport.NodeReport> sample(ToDoubleFunction<StatsSample> value) {
        return node -> node.reading().sample() == null ? Double.NaN : value.applyAsDouble(node.reading().sample());
    }

    private static double ratio(Double value) {
        return value == null ? Double.NaN : value;
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
