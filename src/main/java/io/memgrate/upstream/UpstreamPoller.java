package io.memgrate.upstream;

import java.time.Duration;

import org.jboss.logging.Logger;

import io.memgrate.merge.MergedView;
import io.memgrate.metrics.MemgrateMetrics;
import io.memgrate.protocol.ConfigAnswer;
import io.memgrate.protocol.EngineVersion;
import io.memgrate.protocol.MalformedReplyException;
import io.memgrate.protocol.UpstreamReply;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * Polls one configuration endpoint every refresh interval over one reused connection and reports what it learns
 * to the {@link MergedView}. The configuration and version requests go out pipelined, one round trip per poll.
 * Engines before 1.4.14 answer {@code ERROR} to {@code config get cluster}; the poller then switches to the
 * legacy {@code get AmazonElastiCache:cluster} for good.
 */
final class UpstreamPoller {

    private static final Logger LOG = Logger.getLogger(UpstreamPoller.class);
    private static final Buffer CONFIG_GET = Buffer.buffer("config get cluster\r\n");
    private static final Buffer LEGACY_GET = Buffer.buffer("get AmazonElastiCache:cluster\r\n");
    private static final Buffer VERSION = Buffer.buffer("version\r\n");

    private final Side side;
    private final Context context;
    private final UpstreamConnection connection;
    private final EndpointSource source;
    private final MergedView view;
    private final MemgrateMetrics metrics;
    private final long intervalMillis;
    private boolean legacy;
    private boolean failing;
    private long timer = -1;
    private boolean stopped;

    UpstreamPoller(Side side, Context context, EndpointSource source, UpstreamConnection connection, MergedView view,
            MemgrateMetrics metrics, Duration interval) {
        this.metrics = metrics;
        this.side = side;
        this.context = context;
        this.source = source;
        this.connection = connection;
        this.view = view;
        this.intervalMillis = Math.max(1, interval.toMillis());
    }

    Side side() {
        return side;
    }

    void start() {
        context.runOnContext(v -> poll());
    }

    void stop() {
        context.runOnContext(v -> {
            stopped = true;
            context.owner().cancelTimer(timer);
            connection.reset(new UpstreamException("stopped", "Memgrate is shutting down"));
        });
    }

    /** Relays a {@code stats} command line over this upstream's connection; completes with the whole reply. */
    Future<Buffer> stats(Buffer commandLine) {
        return connection.exchange(commandLine, UpstreamReply.STATS);
    }

    private void poll() {
        long started = System.nanoTime();
        Future<Buffer> configReply = connection.exchange(legacy ? LEGACY_GET : CONFIG_GET, UpstreamReply.CONFIG);
        Future<Buffer> versionReply = connection.exchange(VERSION, UpstreamReply.LINE);
        Future.all(configReply, versionReply).onComplete(done -> {
            boolean retryNow = false;
            try {
                if (done.failed()) {
                    throw done.cause();
                }
                retryNow = handle(ConfigAnswer.parse(configReply.result().getBytes()),
                        EngineVersion.parse(versionReply.result().getBytes()), started);
            } catch (UpstreamException e) {
                fail(e.reason(), e.getMessage());
            } catch (MalformedReplyException e) {
                fail("malformed-" + e.reason(), "malformed reply: " + e.getMessage());
            } catch (Throwable e) {
                LOG.errorf(e, "%s upstream: unexpected failure", side.label());
                fail("unexpected", "unexpected failure: " + e);
            }
            if (stopped) {
                return;
            }
            if (retryNow) {
                poll();
            } else {
                timer = context.owner().setTimer(intervalMillis, id -> poll());
            }
        });
    }

    /** Returns true when the poll should be repeated at once (after switching to the legacy get). */
    private boolean handle(ConfigAnswer answer, String engineVersion, long started) {
        if (answer instanceof ConfigAnswer.Found found) {
            metrics.fetched(side, System.nanoTime() - started);
            if (failing) {
                LOG.infof("%s upstream answers again", side.label());
                failing = false;
            }
            source.pollSucceeded();
            view.answered(side, found.config(), engineVersion);
            return false;
        }
        if (answer instanceof ConfigAnswer.UnknownCommand && !legacy) {
            LOG.infof("%s upstream (engine %s) does not know 'config get cluster'; using the legacy get from now on",
                    side.label(), engineVersion);
            legacy = true;
            return true;
        }
        fail("refused", answer instanceof ConfigAnswer.Refused refused ? "upstream refused: " + refused.reason()
                : "upstream answers ERROR to the legacy get too; it is not a configuration endpoint");
        return false;
    }

    private void fail(String reason, String error) {
        source.pollFailed();
        metrics.fetchFailed(side, reason);
        if (!failing) {
            LOG.warnf("%s upstream failed: %s. Retrying every %d ms; its last known good nodes, if any, stay served.",
                    side.label(), error, intervalMillis);
            failing = true;
        } else {
            LOG.debugf("%s upstream still failing: %s", side.label(), error);
        }
        view.failed(side, error);
    }
}
