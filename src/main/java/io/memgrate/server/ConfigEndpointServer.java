package io.memgrate.server;

import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.memgrate.config.MemgrateConfig;
import io.memgrate.merge.MergedView;
import io.memgrate.upstream.Upstreams;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;

/** The TCP front: speaks the memcached text protocol of a configuration endpoint to cache clients. */
@ApplicationScoped
public class ConfigEndpointServer {

    private static final Logger LOG = Logger.getLogger(ConfigEndpointServer.class);

    private final Vertx vertx;
    private final MemgrateConfig config;
    private final MergedView view;
    private final Upstreams upstreams;
    private volatile NetServer server;

    @Inject
    public ConfigEndpointServer(Vertx vertx, MemgrateConfig config, MergedView view, Upstreams upstreams) {
        this.vertx = vertx;
        this.config = config;
        this.view = view;
        this.upstreams = upstreams;
    }

    void onStart(@Observes StartupEvent event) throws Exception {
        NetServer created = vertx.createNetServer(new NetServerOptions().setTcpNoDelay(true))
                .connectHandler(socket -> new ClientConnection(socket, view, upstreams).start());
        server = created.listen(config.listen().port(), config.listen().host())
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        LOG.infof("Memgrate configuration endpoint listening on %s:%d", config.listen().host(), server.actualPort());
    }

    void onStop(@Observes ShutdownEvent event) throws Exception {
        NetServer running = server;
        if (running != null) {
            running.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** The bound TCP port (useful when configured as 0). */
    public int port() {
        return server.actualPort();
    }

    public boolean listening() {
        return server != null;
    }
}
