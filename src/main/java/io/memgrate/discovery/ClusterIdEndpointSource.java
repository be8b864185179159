package io.memgrate.discovery;

import java.time.Duration;
import java.util.Objects;

import org.jboss.logging.Logger;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.upstream.EndpointSource;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * An upstream found by its ElastiCache cluster ID. The configuration endpoint is resolved on a worker thread, cached,
 * confirmed every resolve interval, and looked up again (rate-limited, with backoff) when polls through it keep
 * failing, so a recreated cluster is found. A failing AWS API never takes away an endpoint that was resolved once.
 */
public final class ClusterIdEndpointSource implements EndpointSource {

    private static final Logger LOG = Logger.getLogger(ClusterIdEndpointSource.class);
    /** Consecutive failed polls after which the endpoint is looked up again. */
    static final int FAILED_POLLS_BEFORE_LOOKUP = 3;
    private static final long MIN_BACKOFF_MILLIS = 1_000;
    private static final long MAX_BACKOFF_MILLIS = 60_000;

    /** Told about every resolution outcome, for logs, metrics and the merge engine's state. */
    public interface Listener {
        void resolved(String clusterId, HostAndPort endpoint);

        void failed(String clusterId, DiscoveryException error);
    }

    private final Vertx vertx;
    private final ClusterEndpointResolver resolver;
    private final String clusterId;
    private final long resolveIntervalMillis;
    private final Listener listener;

    private HostAndPort resolved;
    private long resolvedAtMillis;
    private Future<HostAndPort> lookup;
    private DiscoveryException lastError;
    private long nextLookupAtMillis;
    private long backoffMillis = MIN_BACKOFF_MILLIS;
    private int failedPolls;

    public ClusterIdEndpointSource(Vertx vertx, ClusterEndpointResolver resolver, String clusterId,
            Duration resolveInterval, Listener listener) {
        this.vertx = vertx;
        this.resolver = resolver;
        this.clusterId = clusterId;
        this.resolveIntervalMillis = resolveInterval.toMillis();
        this.listener = listener;
    }

    @Override
    public synchronized Future<HostAndPort> endpoint() {
        long now = System.currentTimeMillis();
        if (resolved == null) {
            if (lookup == null && lastError != null && now < nextLookupAtMillis) {
                return Future.failedFuture(lastError);
            }
            return lookup();
        }
        if (now - resolvedAtMillis >= resolveIntervalMillis && now >= nextLookupAtMillis) {
            lookup();
        }
        return Future.succeededFuture(resolved);
    }

    @Override
    public synchronized void pollSucceeded() {
        failedPolls = 0;
        backoffMillis = MIN_BACKOFF_MILLIS;
    }

    @Override
    public synchronized void pollFailed() {
        failedPolls++;
        long now = System.currentTimeMillis();
        if (resolved != null && failedPolls >= FAILED_POLLS_BEFORE_LOOKUP && now >= nextLookupAtMillis) {
            LOG.infof("cluster %s: %d polls of %s failed in a row; looking its configuration endpoint up again",
                    clusterId, failedPolls, resolved);
            postpone(now);
            lookup();
        }
    }

    /** Spaces out lookups that do not help: each one waits twice as long as the one before, up to a minute. */
    private void postpone(long now) {
        nextLookupAtMillis = now + backoffMillis;
        backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS);
    }

    /** Starts a lookup unless one is running; completes with the endpoint, or fails as long as none was ever resolved. */
    private Future<HostAndPort> lookup() {
        if (lookup != null) {
            return lookup;
        }
        Promise<HostAndPort> outcome = Promise.promise();
        lookup = outcome.future();
        vertx.<HostAndPort>executeBlocking(() -> resolver.resolve(clusterId), false).onComplete(done -> {
            synchronized (this) {
                lookup = null;
                long now = System.currentTimeMillis();
                if (done.succeeded()) {
                    accept(done.result(), now);
                    outcome.complete(done.result());
                } else {
                    DiscoveryException error = done.cause() instanceof DiscoveryException discovery ? discovery
                            : new DiscoveryException("unexpected", "resolving cluster " + clusterId + " failed: " + done.cause());
                    reject(error, now);
                    if (resolved == null) {
                        outcome.fail(error);
                    } else {
                        outcome.complete(resolved);
                    }
                }
            }
        });
        return outcome.future();
    }

    private void accept(HostAndPort endpoint, long now) {
        if (!endpoint.equals(resolved)) {
            if (resolved == null) {
                LOG.infof("cluster %s: configuration endpoint is %s", clusterId, endpoint);
            } else {
                LOG.warnf("cluster %s: configuration endpoint moved from %s to %s", clusterId, resolved, endpoint);
            }
            backoffMillis = MIN_BACKOFF_MILLIS;
            nextLookupAtMillis = now;
            failedPolls = 0;
        }
        resolved = endpoint;
        resolvedAtMillis = now;
        lastError = null;
        listener.resolved(clusterId, endpoint);
    }

    private void reject(DiscoveryException error, long now) {
        if (resolved == null) {
            // no endpoint to poll: the failure reaches the side's poller, which logs it as the upstream's
            LOG.debugf("cluster %s: %s", clusterId, error.getMessage());
        } else if (lastError == null || !Objects.equals(lastError.getMessage(), error.getMessage())) {
            LOG.warnf("cluster %s: %s; keeping %s", clusterId, error.getMessage(), resolved);
        }
        lastError = error;
        postpone(now);
        listener.failed(clusterId, error);
    }

    @Override
    public synchronized String toString() {
        return "cluster " + clusterId + (resolved == null ? "" : " at " + resolved);
    }
}
