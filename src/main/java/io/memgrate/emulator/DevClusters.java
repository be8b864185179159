package io.memgrate.emulator;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.memgrate.config.HostAndPort;
import io.memgrate.protocol.ClusterConfig;
import io.memgrate.protocol.Node;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.vertx.core.Vertx;

/**
 * The embedded default: two emulated clusters ("old" and "new") that dev mode points primary and secondary at
 * when no endpoint is configured, so Memgrate answers with a merged configuration on a machine with no cloud account.
 */
@ApplicationScoped
public class DevClusters {

    private static final Logger LOG = Logger.getLogger(DevClusters.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    @ConfigMapping(prefix = "memgrate.dev-clusters")
    public interface Settings {
        /** On in the dev profile; used only when no endpoint is configured. */
        @WithDefault("false")
        boolean enabled();

        /** The old cluster's nodes, in the wire form {@code host|ip|port}, separated by spaces. */
        @WithDefault("old-1.memgrate.local|127.0.0.1|21211 old-2.memgrate.local|127.0.0.1|21212")
        String oldNodes();

        /** The new cluster's nodes, in the same form. */
        @WithDefault("new-1.memgrate.local|127.0.0.1|21221 new-2.memgrate.local|127.0.0.1|21222")
        String newNodes();

        /** The engine version the emulated clusters report. */
        @WithDefault("1.6.22")
        String engineVersion();
    }

    public record Endpoints(HostAndPort primary, HostAndPort secondary) {
    }

    private final Vertx vertx;
    private final Settings settings;
    private EmulatedConfigEndpoint oldCluster;
    private EmulatedConfigEndpoint newCluster;

    @Inject
    public DevClusters(Vertx vertx, Settings settings) {
        this.vertx = vertx;
        this.settings = settings;
    }

    public boolean enabled() {
        return settings.enabled();
    }

    /** Starts both emulated configuration endpoints on free loopback ports. Blocks: call at start-up only. */
    public synchronized Endpoints start() {
        oldCluster = new EmulatedConfigEndpoint(vertx, settings.engineVersion(), config(settings.oldNodes()));
        newCluster = new EmulatedConfigEndpoint(vertx, settings.engineVersion(), config(settings.newNodes()));
        Endpoints endpoints = new Endpoints(listen(oldCluster), listen(newCluster));
        LOG.infof("No endpoints configured: serving emulated clusters, old at %s, new at %s",
                endpoints.primary(), endpoints.secondary());
        return endpoints;
    }

    private static ClusterConfig config(String nodes) {
        return new ClusterConfig(1, Arrays.stream(nodes.trim().split(" +")).map(Node::parse).toList());
    }

    private static HostAndPort listen(EmulatedConfigEndpoint endpoint) {
        try {
            int port = endpoint.start("127.0.0.1", 0).toCompletionStage().toCompletableFuture()
                    .get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return new HostAndPort("127.0.0.1", port);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start an emulated configuration endpoint: " + e, e);
        }
    }

    @PreDestroy
    synchronized void stop() {
        Stream.of(oldCluster, newCluster).filter(Objects::nonNull).forEach(EmulatedConfigEndpoint::stop);
    }
}
