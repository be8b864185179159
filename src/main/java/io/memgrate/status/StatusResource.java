package io.memgrate.status;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
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
import io.memgrate.plan.MigrationPlan;

/** {@code GET /memgrate/status}: what is served now and each upstream's state, read-only. */
@Path("/memgrate/status")
public class StatusResource {

    public record Status(boolean ready, Served served, Held held, String engineVersion, Integer listeningPort,
            int openConnections, List<Upstream> upstreams, Plan plan, KeyMovement keyMovement) {
    }

    /**
     * The share of keys (0 to 1) moved to another node, by hashing scheme ({@code array-mod-native}, ...).
     *
     * @param lastChange the last change of the served list; null before the first change
     * @param nextSteps  by each single step possible from the served list
     */
    public record KeyMovement(Change lastChange, List<Step> nextSteps) {
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
     */
    public record Plan(String file, Long revision, List<String> admitted, List<String> withdrawn, List<String> pending,
            PlanWatcher.Refusal lastRefusal) {
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
                new KeyMovement(now.lastChange() == null ? null : new Change(now.lastChange().fromVersion(),
                        now.lastChange().toVersion(), fractions(now.lastChange().keysMoved())),
                        status.nextSteps(now).stream().map(step -> new Step(step.action(), step.host(), fractions(step.keysMoved())))
                                .toList()));
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
                plan == null ? List.of() : List.copyOf(plan.withdraw()), wire(now.pending()), now.planRefusal());
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
