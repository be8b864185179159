package io.memgrate.upstream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.memgrate.cluster.Side;
import io.memgrate.metrics.MemgrateMetrics;
import io.memgrate.protocol.ReplyDecoder;
import io.netty.buffer.Unpooled;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * Answers client {@code stats} with the primary's reply, or the secondary's when the primary cannot answer, over
 * connections of their own, so configuration polls never wait behind it. Upstream load does not grow with clients:
 * a reply is reused while it is younger than the maximum age, and requests that arrive while one is being fetched
 * share it.
 */
final class StatsRelay {

    private static final Buffer STATS = Buffer.buffer("stats\r\n");

    /** Stats connections in side order: the primary is asked first. */
    private final Map<Side, UpstreamConnection> connections;
    private final MemgrateMetrics metrics;
    private final long maxAgeNanos;
    private Buffer cached;
    private long cachedAtNanos;
    private Future<Buffer> inFlight;

    StatsRelay(Map<Side, UpstreamConnection> connections, MemgrateMetrics metrics, long maxAgeNanos) {
        this.connections = connections;
        this.metrics = metrics;
        this.maxAgeNanos = maxAgeNanos;
    }

    /** The whole {@code stats} reply; fails when no upstream answers. */
    synchronized Future<Buffer> stats() {
        if (cached != null && System.nanoTime() - cachedAtNanos < maxAgeNanos) {
            return Future.succeededFuture(cached);
        }
        if (inFlight != null) {
            return inFlight;
        }
        Future<Buffer> fetching = fetch();
        inFlight = fetching;
        // may run at once (a fetch that completed at once), clearing inFlight before this returns
        fetching.onComplete(done -> fetched(fetching, done.succeeded() ? done.result() : null));
        return fetching;
    }

    private synchronized void fetched(Future<Buffer> fetching, Buffer reply) {
        if (inFlight == fetching) {
            inFlight = null;
        }
        if (reply != null) {
            cached = reply;
            cachedAtNanos = System.nanoTime();
        }
    }

    private Future<Buffer> fetch() {
        List<String> failures = new ArrayList<>();
        Future<byte[]> reply = Future.failedFuture(new UpstreamException("none", "no upstream configured"));
        for (Map.Entry<Side, UpstreamConnection> upstream : connections.entrySet()) {
            Side side = upstream.getKey();
            reply = reply.recover(previous -> {
                metrics.statsRequested(side);
                return upstream.getValue().exchange(STATS, ReplyDecoder.stats())
                        .onFailure(e -> failures.add(side.label() + ": " + e.getMessage()));
            });
        }
        return reply.map(StatsRelay::shareable).recover(e -> Future.failedFuture(
                new UpstreamException("unavailable", "no upstream answered stats (" + String.join("; ", failures) + ")")));
    }

    /** Written to many sockets: a plain buffer would be released by the first write. */
    private static Buffer shareable(byte[] reply) {
        return Buffer.buffer(Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(reply)));
    }

    void stop() {
        connections.values().forEach(connection -> connection.reset(new UpstreamException("stopped", "Memgrate is shutting down")));
    }
}
