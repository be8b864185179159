package io.memgrate.server;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.memgrate.merge.MergeEngine;
import io.memgrate.metrics.MemgrateMetrics;
import io.memgrate.protocol.Replies;
import io.memgrate.settings.MemgrateSettings;
import io.memgrate.transport.ChannelAccess;
import io.memgrate.upstream.Upstreams;
import io.quarkus.arc.ClientProxy;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

/**
 * The TCP front: speaks the memcached text protocol of a configuration endpoint to cache clients.
 * On shutdown each open connection finishes the request it is answering, one taken meanwhile is answered too, and the
 * listener closes once none is open and none was taken for a second.
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
    private final MergeEngine view;
    private final Upstreams upstreams;
    private final MemgrateMetrics metrics;
    private final Set<ClientConnection> connections = ConcurrentHashMap.newKeySet();
    /** Completed when the last connection closes during a drain; a new one for each start. */
    private volatile Promise<Void> drained;
    private volatile NetServer server;
    private volatile boolean draining;
    private volatile long lastAcceptNanos = System.nanoTime() - RECENTLY_ACTIVE.toNanos();
    /** TLS from the TLS registry, reloaded without a restart (memgrate.tls.*). */
    @Inject
    ListenerTls tls;

    @Inject
    public ConfigEndpointServer(Vertx vertx, MemgrateSettings settings, MergeEngine view, Upstreams upstreams, MemgrateMetrics metrics) {
        this.vertx = vertx;
        this.settings = settings;
        // every request reads the view: hand connections the bean itself, not its client proxy, which looks the
        // instance up on each call
        this.view = ClientProxy.unwrap(view);
        this.upstreams = upstreams;
        this.metrics = metrics;
    }

    /** Binds the listener; fails when the port cannot be bound. */
    public void start() throws Exception {
        NetServerOptions options = new NetServerOptions().setTcpNoDelay(true)
                .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, settings.client().idleTimeout().toMillis()))
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        draining = false;
        drained = Promise.promise();
        NetServer created = tls.reloading(vertx.createNetServer(tls.configure(options))).connectHandler(this::accept);
        String host = settings.listen().host();
        int port = settings.listen().port();
        try {
            server = created.listen(port, host).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            // Quarkus prints a ConfigurationException as its message alone
            throw new ConfigurationException("memgrate.listen.port=" + port + " cannot be bound on " + host + ": "
                    + e.getCause().getMessage() + "; stop what listens there, or set another port");
        }
        LOG.infof("Memgrate configuration endpoint listening on %s:%d%s", settings.listen().host(), server.actualPort(),
                settings.tls().enabled() ? " (TLS)" : "");
    }

    private void accept(NetSocket socket) {
        lastAcceptNanos = System.nanoTime();
        if (connections.size() >= settings.client().maxConnections()) {
            metrics.connectionRejected();
            LOG.debugf("rejecting %s: %d connections open", socket.remoteAddress(), connections.size());
            socket.end(TOO_MANY_CONNECTIONS);
            return;
        }
        ClientConnection connection = new ClientConnection(socket, view, upstreams, metrics, settings.client().maxLineBytes(),
                settings.client().writeStallTimeout());
        connections.add(connection);
        metrics.connectionOpened();
        socket.exceptionHandler(error -> connectionFailed(socket, error));
        socket.closeHandler(v -> {
            connection.closed();
            connections.remove(connection);
            metrics.connectionClosed();
            drainedIfQuiet();
        });
        connection.start();
        // `printf 'stats\r\n' | nc -N memgrate 11211` ends its side right after the command: answer, then close
        ChannelAccess.of(socket).onInputEnded(connection::closeWhenIdle);
        if (draining) {
            // the listener takes connections until the drain ends: one taken now has its requests answered, as a
            // client that connects expects to be, and is closed after them
            connection.drain(RECENTLY_ACTIVE);
        }
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
     * Lets each open connection finish the request it is answering, and answers those that connect meanwhile (bounded
     * by {@code memgrate.shutdown-drain-timeout}), then closes the listener. Closing a Vert.x listener closes every
     * connection it took, so it closes last: before that, a connection it takes is answered, not cut off.
     */
    public void stop() throws Exception {
        NetServer running = server;
        if (running == null) {
            return;
        }
        draining = true;
        LOG.infof("Shutting down: closing %d client connections as each finishes its current request", connections.size());
        connections.forEach(connection -> connection.drain(RECENTLY_ACTIVE));
        drainedIfQuiet();
        try {
            drained.future().toCompletionStage().toCompletableFuture()
                    .get(settings.shutdownDrainTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warnf("%d client connections still busy after %s; closing them", connections.size(), settings.shutdownDrainTimeout());
        }
        running.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        server = null;
    }

    /**
     * The drain is over once no connection is open and none was taken for {@link #RECENTLY_ACTIVE}: a client may still
     * connect while its load balancer drops this replica, and closing the listener would cut off what it took.
     */
    private void drainedIfQuiet() {
        if (!draining || !connections.isEmpty()) {
            return;
        }
        long quietNanos = System.nanoTime() - lastAcceptNanos;
        if (quietNanos >= RECENTLY_ACTIVE.toNanos()) {
            drained.tryComplete();
        } else {
            vertx.setTimer(Math.max(1, (RECENTLY_ACTIVE.toNanos() - quietNanos) / 1_000_000), id -> drainedIfQuiet());
        }
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
