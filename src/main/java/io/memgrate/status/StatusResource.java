package io.memgrate.status;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.memgrate.cluster.Node;
import io.memgrate.cluster.Side;
import io.memgrate.cluster.Topology;
import io.memgrate.control.PlanWatcher;
import io.memgrate.merge.KeysMoved;
import io.memgrate.merge.NextStepsReport;
import io.memgrate.nodestats.IntervalRates;
import io.memgrate.nodestats.NodeReading;
import io.memgrate.nodestats.NodesReport;
import io.memgrate.nodestats.StatsSample;
import io.memgrate.plan.MigrationPlan;

/**
 * {@code GET /memgrate/status}: what is served now, each upstream's state, each cache node as read, and whether the
 * next migration step looks safe; read-only.
 */
@Path("/memgrate/status")
public class StatusResource {

    public record Status(boolean ready, Served served, Held held, String engineVersion, Integer listeningPort,
            int openConnections, List<Upstream> upstreams, Plan plan, KeyMovement keyMovement, Nodes nodes,
            NextStepVerdict nextStepVerdict, Autopilot autopilot) {
    }

    /**
     * The autopilot ("Autopilot" in docs/migration.md): {@code off} unless {@code memgrate.migration.autopilot.enabled}.
     *
     * @param state         {@code off}, {@code waiting}, {@code paused} or {@code complete}
     * @param waitingFor    what keeps it from the next step now
     * @param pausedBecause why it paused; null unless paused
     * @param nextStep      the step it takes next; null when none remains
     * @param whatNext      what a person does next; null while it goes on by itself
     * @param history       the steps it took since Memgrate started, oldest first
     * @param replicas      on Kubernetes: each pod's plan revision (null: none published yet); empty elsewhere
     */
    public record Autopilot(String state, List<String> waitingFor, String pausedBecause,
            AutopilotReport.PlannedStep nextStep, String whatNext, List<AutopilotStep> history,
            Map<String, Long> replicas) {
    }

    /** @param rolledBack whether it wrote the plan before this step back, and {@code rolledBackBecause} why */
    public record AutopilotStep(Instant at, String action, String host, long revision, double predictedShare,
            Double hitRatioBefore, Double lowestHitRatioAfter, boolean rolledBack, String rolledBackBecause) {
    }

    /**
     * Every node of both clusters as Memgrate last read its own {@code stats}.
     *
     * @param statsInterval how often they are read, ISO-8601 ({@code PT30S}), or {@code 0} when node statistics are off
     */
    public record Nodes(String statsInterval, List<NodeStatus> primary, List<NodeStatus> secondary) {
    }

    /**
     * One node. Every value is null while unknown: before the first read, while it does not answer, and for rates
     * before its second read or over an interval in which it restarted.
     *
     * @param node       {@code host:port}
     * @param admission  {@code served}; {@code withdrawn} (a primary node not served) or {@code waiting} (a secondary
     *                   node not served)
     * @param reachable  null before the first read
     * @param hitRatio   over the last interval, 0 to 1; null when the node had no gets in it
     * @param warm       for a node the plan admitted (a served secondary node), whether it is warm; else null
     * @param notWarmBecause why an admitted node is not warm; null otherwise
     */
    public record NodeStatus(String node, String admission, Boolean reachable, String unreachableReason, Double hitRatio,
            Double getsPerSecond, Double setsPerSecond, Double evictionsPerSecond, Long items, Long bytesUsed,
            Long limitMaxBytes, Double bytesUsedRatio, Long connections, Long uptimeSeconds, Boolean warm,
            String notWarmBecause, List<HitRatioPoint> hitRatioHistory) {
    }

    /** @param hitRatio over the interval ending {@code at}; null when the node had no gets in it */
    public record HitRatioPoint(Instant at, Double hitRatio) {
    }

    /**
     * Whether the next migration step looks safe. Only the autopilot, when enabled, takes a step on it.
     *
     * @param reasons                      what blocks it, empty when it looks safe
     * @param servedHitRatio               the served nodes' hit ratio over the last interval, weighted by gets
     * @param servedHitRatioBeforeLastStep the same before the last change of the served list
     * @param lastAdmitted                 {@code host:port} of the secondary node admitted last
     */
    public record NextStepVerdict(boolean safe, List<String> reasons, Double servedHitRatio,
            Double servedHitRatioBeforeLastStep, String lastAdmitted) {
    }

    /**
     * The share of keys (0 to 1) moved to another node, by hashing scheme ({@code array-mod-native}, ...).
     *
     * @param lastChange       the last change of the served list; null before the first change
     * @param nextSteps        by each single step possible from the served list, as last worked out
     * @param nextStepsFor     the served version and plan revision they were worked out for; null before the first
     * @param nextStepsCurrent they are for what is served now: false while they are worked out again after a change
     * @param clientHashing    the scheme declared by {@code memgrate.migration.client-hashing}; null when none is
     * @param gentlestNextStep the next step in the migration order that moves the fewest keys for that scheme (an
     *                         admission while one remains, then a withdrawal); null without a declared scheme or a step
     */
    public record KeyMovement(Change lastChange, List<Step> nextSteps, NextStepsFor nextStepsFor, boolean nextStepsCurrent,
            String clientHashing, Step gentlestNextStep) {
    }

    /** @param planRevision null when no plan is applied (the union is served) */
    public record NextStepsFor(long servedVersion, Long planRevision) {
    }

    public record Change(long fromVersion, long toVersion, Map<String, Double> keysMoved) {
    }

    /** @param action {@code admit} or {@code withdraw} */
    public record Step(String action, String host, Map<String, Double> keysMoved) {
    }

    /** @param byCluster the served nodes of each cluster, "primary" and "secondary" */
    public record Served(long version, List<String> nodes, Map<String, List<String>> byCluster) {
    }

    /**
     * The migration plan; null when no plan file is configured (the union of both clusters is served).
     *
     * @param revision    the revision applied, null until one is
     * @param admitted    "all", or the secondary hosts admitted
     * @param pending     the secondary's nodes not served because the plan does not admit them
     * @param lastRefusal the last plan refused, null when the file's current content is applied
     * @param readHangingSince since when a read of the plan file has not returned (a FIFO, a hung mount); null
     *                    unless one hangs
     */
    public record Plan(String file, Long revision, List<String> admitted, List<String> withdrawn, List<String> pending,
            PlanWatcher.Refusal lastRefusal, Instant readHangingSince) {
    }

    /** A merge not served because its version does not rise above the served one; null when none is held. */
    public record Held(long version, List<String> nodes, String reason) {
    }

    public record Upstream(String side, String endpoint, Long version, List<String> nodes, String engineVersion,
            Instant lastSuccess, Long secondsSinceSuccess, String lastError, Instant lastErrorAt, long versionDecreases) {
    }

    private final MemgrateStatus status;

    @Inject
    public StatusResource(MemgrateStatus status) {
        this.status = status;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Status status() {
        StatusSnapshot now = status.snapshot();
        Topology served = now.served();
        return new Status(now.ready(), served == null ? null : new Served(served.version(), wire(served.nodes()), byCluster(now)),
                now.held() == null ? null : new Held(now.held().merged().version(), wire(now.held().merged().nodes()),
                        now.held().reason()),
                now.engineVersion(), now.listeningPort(), now.openConnections(),
                now.upstreams().stream().map(StatusResource::upstream).toList(), plan(now),
                keyMovement(now),
                nodes(now.nodes()), nextStep(now.nodes().nextStep()), autopilot(now.autopilot()));
    }

    private static Autopilot autopilot(AutopilotReport report) {
        return new Autopilot(report.state().label(), report.waitingFor(), report.pausedBecause(), report.nextStep(),
                report.whatNext(), report.history().stream().map(step -> new AutopilotStep(step.at(), step.action(),
                        step.host(), step.revision(), step.predictedShare(), step.hitRatioBefore(),
                        step.lowestHitRatioAfter(), step.rolledBack(), step.rolledBackBecause())).toList(),
                report.replicas());
    }

    private static KeyMovement keyMovement(StatusSnapshot now) {
        NextStepsReport steps = now.nextSteps();
        return new KeyMovement(now.lastChange() == null ? null : new Change(now.lastChange().fromVersion(),
                now.lastChange().toVersion(), fractions(now.lastChange().keysMoved())),
                steps.steps().stream().map(StatusResource::step).toList(),
                steps.servedVersion() == null ? null : new NextStepsFor(steps.servedVersion(), steps.planRevision()),
                steps.current(), now.clientHashing() == null ? null : now.clientHashing().label(),
                now.gentlestNextStep().map(StatusResource::step).orElse(null));
    }

    private static Step step(io.memgrate.merge.NextStep step) {
        return new Step(step.action(), step.host(), fractions(step.keysMoved()));
    }

    private static Nodes nodes(NodesReport report) {
        return new Nodes(report.statsInterval().isZero() ? "0" : report.statsInterval().toString(),
                report.primary().stream().map(StatusResource::node).toList(),
                report.secondary().stream().map(StatusResource::node).toList());
    }

    private static NodeStatus node(NodesReport.NodeReport report) {
        NodeReading reading = report.reading();
        StatsSample sample = reading.sample();
        IntervalRates rates = reading.rates();
        return new NodeStatus(report.node().toString(), report.admission().name().toLowerCase(Locale.ROOT),
                reading.reachable(), reading.unreachableReason(), rates == null ? null : number(rates.hitRatio()),
                rates == null ? null : rates.getsPerSecond(), rates == null ? null : rates.setsPerSecond(),
                rates == null ? null : rates.evictionsPerSecond(), sample == null ? null : sample.items(),
                sample == null ? null : sample.bytesUsed(), sample == null ? null : sample.limitMaxBytes(),
                sample == null ? null : number(sample.bytesUsedRatio()), sample == null ? null : sample.connections(),
                sample == null ? null : sample.uptimeSeconds(), report.warm(), report.notWarmBecause(),
                reading.hitRatioHistory().stream().map(point -> new HitRatioPoint(point.at(), number(point.hitRatio())))
                        .toList());
    }

    private static NextStepVerdict nextStep(NodesReport.StepVerdict verdict) {
        return new NextStepVerdict(verdict.safe(), verdict.reasons(), verdict.servedHitRatio(),
                verdict.servedHitRatioBeforeLastStep(), verdict.lastAdmitted() == null ? null : verdict.lastAdmitted().toString());
    }

    /** JSON has no NaN: an unknown ratio is null. */
    private static Double number(double value) {
        return Double.isNaN(value) ? null : value;
    }

    private static Map<String, Double> fractions(KeysMoved moved) {
        Map<String, Double> fractions = new LinkedHashMap<>();
        moved.fractions().forEach((scheme, fraction) -> fractions.put(scheme.label(), Math.round(fraction * 10_000) / 10_000.0));
        return fractions;
    }

    private static Map<String, List<String>> byCluster(StatusSnapshot now) {
        Map<String, List<String>> clusters = new LinkedHashMap<>();
        for (Side side : Side.values()) {
            clusters.put(side.label(), wire(now.served(side)));
        }
        return clusters;
    }

    private static Plan plan(StatusSnapshot now) {
        if (now.planFile() == null) {
            return null;
        }
        MigrationPlan plan = now.plan();
        return new Plan(now.planFile().toString(), plan == null ? null : plan.revision(),
                plan == null ? List.of() : plan.admitAll() ? List.of("all") : List.copyOf(plan.admit()),
                plan == null ? List.of() : List.copyOf(plan.withdraw()), wire(now.pending()), now.planRefusal(),
                now.planReadHangingSince());
    }

    private static Upstream upstream(StatusSnapshot.UpstreamStatus state) {
        Topology lastGood = state.lastGood();
        return new Upstream(state.side().label(), state.endpoint(), lastGood == null ? null : lastGood.version(),
                lastGood == null ? List.of() : wire(lastGood.nodes()), state.engineVersion(), state.lastSuccess(),
                state.sinceSuccess() == null ? null : state.sinceSuccess().toSeconds(), state.lastError(),
                state.lastErrorAt(), state.versionDecreases());
    }

    private static List<String> wire(List<Node> nodes) {
        return nodes.stream().map(Node::toString).toList();
    }
}
