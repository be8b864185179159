package io.memgrate.server;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.memgrate.merge.MergedView;
import io.memgrate.metrics.MemgrateMetrics;
import io.memgrate.protocol.Replies;
import io.memgrate.settings.MemgrateSettings;
import io.memgrate.upstream.Upstreams;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.quarkus.arc.ClientProxy;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;

/**
 * The TCP front: speaks the memcached text protocol of a configuration endpoint to cache clients.
 * On shutdown it stops taking connections, lets each open one finish the request it is answering, then closes.
 */
@ApplicationScoped
public class ConfigEndpointServer {

    private static final Logger LOG = Logger.getLogger(ConfigEndpointServer.class);

    /**
     * On shutdown, a client that sent something this recently is mid-conversation: its requests are answered before
     * its connection is closed. Polling clients wait seconds between polls.
     */
    private static final Duration RECENTLY_ACTIVE = Duration.ofSeconds(1);
    private static final Buffer TOO_MANY_CONNECTIONS = Buffer.buffer(Replies.serverError("too many connections"));

    private final Vertx vertx;
    private final MemgrateSettings settings;
    private final MergedView view;
    private final Upstreams upstreams;
    private final MemgrateMetrics metrics;
    private final Set<ClientConnection> connections = ConcurrentHashMap.newKeySet();
    private final Promise<Void> drained = Promise.promise();
    private volatile NetServer server;
    private volatile boolean draining;
    /** TLS from the TLS registry, reloaded without a restart (memgrate.tls.*). */
    @Inject
    ListenerTls tls;

    @Inject
    public ConfigEndpointServer(Vertx vertx, MemgrateSettings settings, MergedView view, Upstreams upstreams, MemgrateMetrics metrics) {
        this.vertx = vertx;
        this.settings = settings;
        // every request reads the view: hand connections the bean itself, not its client proxy, which looks the
        // instance up on each call
        this.view = ClientProxy.unwrap(view);
        this.upstreams = upstreams;
        this.metrics = metrics;
    }

    void onStart(@Observes StartupEvent event) throws Exception {
        NetServerOptions options = new NetServerOptions().setTcpNoDelay(true)
                .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, settings.client().idleTimeout().toMillis()))
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        NetServer created = tls.reloading(vertx.createNetServer(tls.configure(options))).connectHandler(this::accept);
        server = created.listen(settings.listen().port(), settings.listen().host())
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        LOG.infof("Memgrate configuration endpoint listening on %s:%d%s", settings.listen().host(), server.actualPort(),
                settings.tls().enabled() ? " (TLS)" : "");
    }

    private void accept(NetSocket socket) {
        if (draining) {
            socket.close();
            return;
        }
        if (connections.size() >= settings.client().maxConnections()) {
            metrics.connectionRejected();
            LOG.debugf("rejecting %s: %d connections open", socket.remoteAddress(), connections.size());
            socket.end(TOO_MANY_CONNECTIONS);
            return;
        }
        // Vert.x's TCP sockets all implement NetSocketInternal: the connection reads Netty's buffers through it
        NetSocketInternal internal = (NetSocketInternal) socket;
        ClientConnection connection = new ClientConnection(internal, view, upstreams, metrics, settings.client().maxLineBytes(),
                settings.client().writeStallTimeout());
        connections.add(connection);
        metrics.connectionOpened();
        socket.exceptionHandler(error -> connectionFailed(socket, error));
        socket.closeHandler(v -> {
            connection.closed();
            connections.remove(connection);
            metrics.connectionClosed();
            if (draining && connections.isEmpty()) {
                drained.tryComplete();
            }
        });
        connection.start();
        keepOpenAfterClientHalfClose(internal, connection);
    }

    /**
     * A client resetting its connection, or failing its TLS handshake, is the client's business: counted, logged at
     * DEBUG. Without a handler Vert.x logs each one at ERROR (500 resets, 500 stack traces).
     */
    private void connectionFailed(NetSocket socket, Throwable error) {
        String reason = error instanceof SSLException || error.getCause() instanceof SSLException ? "tls"
                : error instanceof IOException ? "io" : "other";
        metrics.connectionFailed(reason);
        if (reason.equals("other")) {
            LOG.warnf(error, "client %s: unexpected connection error", socket.remoteAddress());
        } else {
            LOG.debugf("client %s: %s", socket.remoteAddress(), error.getMessage());
        }
    }

    /**
     * {@code printf 'stats\r\n' | nc -N memgrate 11211} ends its side of the connection right after the command; by
     * default Netty then closes the whole connection and the relayed reply would be lost. Keep it open and close it
     * once the pending answers are written.
     */
    private static void keepOpenAfterClientHalfClose(NetSocketInternal socket, ClientConnection connection) {
        socket.channelHandlerContext().channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        socket.eventHandler(event -> {
            if (event instanceof ChannelInputShutdownEvent) {
                connection.closeWhenIdle();
            }
        });
    }

    void onStop(@Observes ShutdownEvent event) throws Exception {
        NetServer running = server;
        if (running == null) {
            return;
        }
        draining = true;
        LOG.infof("Shutting down: closing %d client connections as each finishes its current request", connections.size());
        connections.forEach(connection -> connection.drain(RECENTLY_ACTIVE));
        if (connections.isEmpty()) {
            drained.tryComplete();
        }
        try {
            drained.future().toCompletionStage().toCompletableFuture()
                    .get(settings.shutdownDrainTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warnf("%d client connections still busy after %s; closing them", connections.size(), settings.shutdownDrainTimeout());
        }
        running.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        server = null;
    }

    /** The bound TCP port (useful when configured as 0). */
    public int port() {
        return server.actualPort();
    }

    /** True while the listener is bound and taking connections. */
    public boolean listening() {
        return server != null && !draining;
    }

    public int openConnections() {
        return connections.size();
    }
}
