package io.memgrate.status;

import java.time.Instant;
import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.memgrate.cluster.Node;
import io.memgrate.cluster.Topology;

/** {@code GET /memgrate/status}: what is served now and each upstream's state, read-only. */
@Path("/memgrate/status")
public class StatusResource {

    public record Status(boolean ready, Served served, Held held, String engineVersion, Integer listeningPort,
            int openConnections, List<Upstream> upstreams) {
    }

    public record Served(long version, List<String> nodes) {
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
        return new Status(now.ready(), served == null ? null : new Served(served.version(), wire(served.nodes())),
                now.held() == null ? null : new Held(now.held().merged().version(), wire(now.held().merged().nodes()),
                        now.held().reason()),
                now.engineVersion(), now.listeningPort(), now.openConnections(),
                now.upstreams().stream().map(StatusResource::upstream).toList());
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
