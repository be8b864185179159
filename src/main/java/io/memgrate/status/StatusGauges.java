package io.memgrate.status;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.memgrate.cluster.Topology;
import io.memgrate.merge.MergeEngine;
import io.memgrate.metrics.Metric;
import io.memgrate.movement.HashScheme;
import io.memgrate.nodestats.IntervalRates;
import io.memgrate.nodestats.NodesReport;
import io.memgrate.nodestats.StatsSample;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import io.quarkus.runtime.Startup;

/**
 * The served, upstream, node and autopilot state as metrics: each scrape takes one {@link StatusSnapshot} and writes
 * every state series from it, so the values of one scrape come from one instant and cannot disagree. A node's series
 * exist while node statistics are on and its cluster lists it.
 */
@Startup
@ApplicationScoped
public class StatusGauges {

    /** What {@code /q/metrics} writes: the collectors of the Prometheus meter registry. */
    private final CollectorRegistry prometheus;
    private final MeterRegistry registry;
    private final Collector collector;
    /** Removed on shutdown, so a registry that outlives the application never reads a dead bean. */
    private final List<Meter> meters = new ArrayList<>();

    @Inject
    public StatusGauges(PrometheusMeterRegistry scraped, MeterRegistry registry, MemgrateStatus status, MergeEngine view) {
        this.prometheus = scraped.getPrometheusRegistry();
        this.registry = registry;
        this.collector = new SnapshotCollector(status::snapshot).register(this.prometheus);
        // the merge engine's own counts, not its state: read from the view, no snapshot needed
        meters.add(FunctionCounter.builder(Metric.NEXT_STEPS_COMPUTATIONS.meterName(), view, MergeEngine::nextStepsComputations)
                .description(Metric.NEXT_STEPS_COMPUTATIONS.help()).register(registry));
        meters.add(Gauge.builder(Metric.NEXT_STEPS_LAST_SECONDS.meterName(), view, MergeEngine::nextStepsLastSeconds)
                .description(Metric.NEXT_STEPS_LAST_SECONDS.help()).register(registry));
    }

    @PreDestroy
    void unregister() {
        prometheus.unregister(collector);
        meters.forEach(registry::remove);
    }

    /** Writes the state series of one scrape from one snapshot, taken from {@code snapshots} once per collection. */
    static final class SnapshotCollector extends Collector implements Collector.Describable {

        private final Supplier<StatusSnapshot> snapshots;

        SnapshotCollector(Supplier<StatusSnapshot> snapshots) {
            this.snapshots = snapshots;
        }

        @Override
        public List<MetricFamilySamples> collect() {
            return write(snapshots.get());
        }

        /** The families without samples: their names, for the registry's check that no two collectors share one. */
        @Override
        public List<MetricFamilySamples> describe() {
            return families().values().stream().map(family -> (MetricFamilySamples) family).toList();
        }

        private static List<MetricFamilySamples> write(StatusSnapshot now) {
            Map<Metric, MetricFamilySamples> families = families();
            add(families, Metric.SERVED_VERSION, served(now, Topology::version));
            add(families, Metric.SERVED_NODES, served(now, topology -> topology.nodes().size()));
            add(families, Metric.SERVED_HELD, now.held() == null ? 0 : 1);
            for (HashScheme scheme : HashScheme.values()) {
                add(families, Metric.KEYS_MOVED_LAST_CHANGE_RATIO, Optional.ofNullable(now.lastChange())
                        .map(change -> change.keysMoved().fractions().get(scheme)).orElse(Double.NaN), scheme.label());
                add(families, Metric.KEYS_MOVED_NEXT_STEP_MIN_RATIO, now.nextSteps().steps().stream()
                        .mapToDouble(step -> step.keysMoved().fractions().get(scheme)).min().orElse(Double.NaN),
                        scheme.label());
            }
            add(families, Metric.SERVED_HIT_RATIO, orNaN(now.nodes().nextStep().servedHitRatio()));
            add(families, Metric.NEXT_STEP_SAFE, now.nodes().nextStep().safe() ? 1 : 0);
            add(families, Metric.PLAN_REVISION, now.plan() == null ? Double.NaN : now.plan().revision());
            add(families, Metric.PLAN_READ_HANGING, now.planReadHangingSince() == null ? 0 : 1);
            for (AutopilotReport.State state : AutopilotReport.State.values()) {
                add(families, Metric.AUTOPILOT_STATE, now.autopilot().state() == state ? 1 : 0, state.label());
            }
            for (StatusSnapshot.UpstreamStatus upstream : now.upstreams()) {
                String side = upstream.side().label();
                add(families, Metric.SERVED_CLUSTER_NODES, now.served(upstream.side()).size(), side);
                add(families, Metric.UPSTREAM_CONFIG_VERSION, lastGood(upstream, Topology::version), side);
                add(families, Metric.UPSTREAM_NODES, lastGood(upstream, topology -> topology.nodes().size()), side);
                add(families, Metric.UPSTREAM_SECONDS_SINCE_SUCCESS, upstream.sinceSuccess() == null ? Double.NaN
                        : upstream.sinceSuccess().toMillis() / 1000.0, side);
                add(families, Metric.UPSTREAM_VERSION_DECREASES, upstream.versionDecreases(), side);
            }
            if (!now.nodes().statsInterval().isZero()) {
                now.nodes().primary().forEach(node -> addNode(families, node));
                now.nodes().secondary().forEach(node -> addNode(families, node));
            }
            return families.values().stream().filter(family -> !family.samples.isEmpty()).toList();
        }

        private static void addNode(Map<Metric, MetricFamilySamples> families, NodesReport.NodeReport node) {
            String[] labels = {node.node().toString(), node.side().label()};
            Boolean reachable = node.reading().reachable();
            add(families, Metric.NODE_REACHABLE, reachable == null ? Double.NaN : reachable ? 1 : 0, labels);
            add(families, Metric.NODE_SERVED, node.admission() == NodesReport.Admission.SERVED ? 1 : 0, labels);
            add(families, Metric.NODE_WARM, Boolean.TRUE.equals(node.warm()) ? 1 : 0, labels);
            add(families, Metric.NODE_HIT_RATIO, rates(node, IntervalRates::hitRatio), labels);
            add(families, Metric.NODE_GETS_PER_SECOND, rates(node, IntervalRates::getsPerSecond), labels);
            add(families, Metric.NODE_SETS_PER_SECOND, rates(node, IntervalRates::setsPerSecond), labels);
            add(families, Metric.NODE_EVICTIONS_PER_SECOND, rates(node, IntervalRates::evictionsPerSecond), labels);
            add(families, Metric.NODE_ITEMS, sample(node, StatsSample::items), labels);
            add(families, Metric.NODE_BYTES_USED_RATIO, sample(node, StatsSample::bytesUsedRatio), labels);
            add(families, Metric.NODE_CONNECTIONS, sample(node, StatsSample::connections), labels);
        }

        /** An empty family for each state metric, in catalogue order. */
        private static Map<Metric, MetricFamilySamples> families() {
            Map<Metric, MetricFamilySamples> families = new EnumMap<>(Metric.class);
            for (Metric metric : STATE) {
                families.put(metric, metric.type() == Metric.Type.COUNTER
                        ? new CounterMetricFamily(metric.prometheusName(), metric.help(), metric.labels())
                        : new GaugeMetricFamily(metric.prometheusName(), metric.help(), metric.labels()));
            }
            return families;
        }

        private static void add(Map<Metric, MetricFamilySamples> families, Metric metric, double value, String... labels) {
            MetricFamilySamples family = families.get(metric);
            if (family instanceof CounterMetricFamily counter) {
                counter.addMetric(List.of(labels), value);
            } else {
                ((GaugeMetricFamily) family).addMetric(List.of(labels), value);
            }
        }

        private static double rates(NodesReport.NodeReport node, ToDoubleFunction<IntervalRates> value) {
            return node.reading().rates() == null ? Double.NaN : value.applyAsDouble(node.reading().rates());
        }

        private static double sample(NodesReport.NodeReport node, ToDoubleFunction<StatsSample> value) {
            return node.reading().sample() == null ? Double.NaN : value.applyAsDouble(node.reading().sample());
        }

        private static double served(StatusSnapshot now, ToDoubleFunction<Topology> value) {
            return now.served() == null ? Double.NaN : value.applyAsDouble(now.served());
        }

        private static double lastGood(StatusSnapshot.UpstreamStatus upstream, ToDoubleFunction<Topology> value) {
            return upstream.lastGood() == null ? Double.NaN : value.applyAsDouble(upstream.lastGood());
        }

        private static double orNaN(Double value) {
            return value == null ? Double.NaN : value;
        }
    }

    /** The metrics read from the status snapshot, one family each. */
    static final List<Metric> STATE = List.of(Metric.SERVED_VERSION, Metric.SERVED_NODES, Metric.SERVED_HELD,
            Metric.KEYS_MOVED_LAST_CHANGE_RATIO, Metric.KEYS_MOVED_NEXT_STEP_MIN_RATIO, Metric.SERVED_HIT_RATIO,
            Metric.NEXT_STEP_SAFE, Metric.PLAN_REVISION, Metric.PLAN_READ_HANGING, Metric.AUTOPILOT_STATE,
            Metric.SERVED_CLUSTER_NODES, Metric.UPSTREAM_CONFIG_VERSION, Metric.UPSTREAM_NODES,
            Metric.UPSTREAM_SECONDS_SINCE_SUCCESS, Metric.UPSTREAM_VERSION_DECREASES, Metric.NODE_REACHABLE,
            Metric.NODE_SERVED, Metric.NODE_WARM, Metric.NODE_HIT_RATIO, Metric.NODE_GETS_PER_SECOND,
            Metric.NODE_SETS_PER_SECOND, Metric.NODE_EVICTIONS_PER_SECOND, Metric.NODE_ITEMS, Metric.NODE_BYTES_USED_RATIO,
            Metric.NODE_CONNECTIONS);
}
