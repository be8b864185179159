package io.memgrate.status;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.memgrate.cluster.Node;
import io.memgrate.health.Lifecycle;
import io.memgrate.merge.MergedView;
import io.memgrate.merge.UpstreamState;
import io.memgrate.server.ConfigEndpointServer;

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

    @Inject
    MergedView view;

    @Inject
    ConfigEndpointServer server;

    @Inject
    Lifecycle lifecycle;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Status status() {
        Instant now = Instant.now();
        Served served = view.served().map(s -> new Served(s.config().version(), wire(s.config().nodes()))).orElse(null);
        Held held = view.held().map(h -> new Held(h.merged().version(), wire(h.merged().nodes()), h.reason())).orElse(null);
        List<Upstream> upstreams = view.upstreams().stream().map(state -> upstream(state, now)).toList();
        boolean listening = server.listening();
        return new Status(served != null && listening && !lifecycle.shuttingDown(), served, held,
                view.engineVersion().orElse(null), listening ? server.port() : null, server.openConnections(), upstreams);
    }

    private static Upstream upstream(UpstreamState state, Instant now) {
        boolean answered = state.hasAnswered();
        return new Upstream(state.side().label(), state.endpoint(), answered ? state.lastGood().version() : null,
                answered ? wire(state.lastGood().nodes()) : List.of(), state.engineVersion(), state.lastSuccess(),
                state.lastSuccess() == null ? null : Duration.between(state.lastSuccess(), now).toSeconds(),
                state.lastError(), state.lastErrorAt(), state.versionDecreases());
    }

    private static List<String> wire(List<Node> nodes) {
        return nodes.stream().map(Node::toString).toList();
    }
}
