package io.memgrate.upstream;

import java.time.Duration;
import java.util.List;

import org.jboss.logging.Logger;

import io.memgrate.cluster.Printable;
import io.memgrate.cluster.Side;
import io.memgrate.merge.MergeEngine;
import io.memgrate.metrics.MemgrateMetrics;
import io.memgrate.protocol.ClientCommand;
import io.memgrate.protocol.ConfigAnswer;
import io.memgrate.protocol.MalformedContentException;
import io.memgrate.protocol.MalformedReplyException;
import io.memgrate.protocol.ReplyDecoder;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;

/**
 * Polls one configuration endpoint every refresh interval over one reused connection and reports what it learns
 * to the {@link MergeEngine}. The configuration and version requests go out pipelined, one round trip per poll.
 * Engines before 1.4.14 answer {@code ERROR} to {@code config get cluster}; the poller then switches to the
 * legacy {@code get AmazonElastiCache:cluster} for good.
 */
final class UpstreamPoller {

    private static final Logger LOG = Logger.getLogger(UpstreamPoller.class);
    private static final Buffer CONFIG_GET = Buffer.buffer("config get cluster\r\n");
    private static final Buffer LEGACY_GET = Buffer.buffer("get " + ClientCommand.LEGACY_CONFIG_KEY + "\r\n");
    private static final Buffer VERSION = Buffer.buffer("version\r\n");

    private final Side side;
    private final Context context;
    private final UpstreamConnection connection;
    private final EndpointSource source;
    private final MergeEngine view;
    private final MemgrateMetrics metrics;
    private final long intervalMillis;
    private final long attemptDeadlineMillis;
    private volatile long lastAttemptEndedNanos = System.nanoTime();
    private boolean legacy;
    private boolean failing;
    /** The failure last logged at WARN, so that a different reason to fail a lookup is logged too. */
    private String lastWarned;
    private long timer = -1;
    private boolean stopped;

    /** What one poll learnt: the answer to the configuration request, and the engine version. */
    private record Answers(ConfigAnswer config, String engineVersion) {
    }

    UpstreamPoller(Side side, Context context, EndpointSource source, UpstreamConnection connection, MergeEngine view,
            MemgrateMetrics metrics, Duration interval, Duration attemptDeadline) {
        this.metrics = metrics;
        this.side = side;
        this.context = context;
        this.source = source;
        this.connection = connection;
        this.view = view;
        this.intervalMillis = Math.max(1, interval.toMillis());
        this.attemptDeadlineMillis = Math.max(1, attemptDeadline.toMillis());
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

    /**
     * One attempt, then the next one is scheduled whatever happened: an exception anywhere in an attempt is logged
     * and counted as a failed poll, and an attempt that neither succeeds nor fails (an endpoint lookup that hangs)
     * is ended by its deadline, so polling cannot stop while Memgrate runs.
     */
    private void poll() {
        long started = System.nanoTime();
        Promise<Answers> attempt = Promise.promise();
        long deadline = context.owner().setTimer(attemptDeadlineMillis, id -> {
            if (attempt.tryFail(new UpstreamException("timeout", "no complete answer within " + attemptDeadlineMillis
                    + " ms (endpoint lookup, connect and reply)"))) {
                connection.reset(new UpstreamException("timeout", "connection dropped after a timed-out poll"));
            }
        });
        try {
            exchange().onComplete(attempt);
        } catch (RuntimeException e) {
            attempt.tryFail(e);
        }
        attempt.future().onComplete(done -> {
            context.owner().cancelTimer(deadline);
            boolean retryNow = false;
            try {
                if (done.failed()) {
                    failed(done.cause());
                } else {
                    retryNow = handle(done.result(), started);
                }
            } catch (RuntimeException e) {
                failed(e);
            } finally {
                lastAttemptEndedNanos = System.nanoTime();
                scheduleNext(retryNow);
            }
        });
    }

    /** The configuration and version requests, pipelined; completes with both answers once both replies are in. */
    private Future<Answers> exchange() {
        Future<ConfigAnswer> config = connection.exchange(legacy ? LEGACY_GET : CONFIG_GET, ReplyDecoder.config());
        Future<String> version = connection.exchange(VERSION, ReplyDecoder.version());
        return Future.join(config, version).transform(both -> both.succeeded()
                ? Future.succeededFuture(new Answers(config.result(), version.result()))
                : Future.failedFuture(firstFailure(config, version)));
    }

    /**
     * The failure a poll reports, the same as when both replies were parsed once both had arrived: a lost exchange
     * (timeout, dropped connection, unframeable reply) before a whole reply that says something invalid, the
     * configuration's before the version's.
     */
    private static Throwable firstFailure(Future<ConfigAnswer> config, Future<String> version) {
        for (Future<?> reply : List.of(config, version)) {
            if (reply.failed() && !(reply.cause() instanceof MalformedContentException)) {
                return reply.cause();
            }
        }
        return config.failed() ? config.cause() : version.cause();
    }

    private void scheduleNext(boolean now) {
        if (stopped) {
            return;
        }
        if (now) {
            context.runOnContext(v -> poll());
        } else {
            timer = context.owner().setTimer(intervalMillis, id -> poll());
        }
    }

    /** How long ago the last poll attempt ended, successful or not (since start-up before the first one). */
    Duration sinceLastAttempt() {
        return Duration.ofNanos(System.nanoTime() - lastAttemptEndedNanos);
    }

    private void failed(Throwable error) {
        if (error instanceof UpstreamException upstream) {
            fail(upstream.reason(), upstream.getMessage());
        } else if (error instanceof MalformedReplyException malformed) {
            fail("malformed-" + malformed.reason(), "malformed reply: " + malformed.getMessage());
        } else {
            LOG.errorf(error, "%s upstream: unexpected failure", side.label());
            fail("unexpected", "unexpected failure: " + error);
        }
    }

    /** Returns true when the poll should be repeated at once (after switching to the legacy get). */
    private boolean handle(Answers answers, long started) {
        ConfigAnswer answer = answers.config();
        String engineVersion = answers.engineVersion();
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

    /** {@code failure} may quote what the upstream sent: it is escaped before it is logged or shown. */
    private void fail(String reason, String failure) {
        String error = Printable.escape(failure);
        source.pollFailed();
        metrics.fetchFailed(side, reason);
        // Once per failing streak, and again when looking the endpoint up fails for another reason (the operator fixed
        // the credentials, now the IAM policy is wrong): the endpoint source leaves these failures to this line.
        if (!failing || "resolve".equals(reason) && !error.equals(lastWarned)) {
            LOG.warnf("%s upstream failed: %s. Retrying every %d ms; its last known good nodes, if any, stay served.",
                    side.label(), error, intervalMillis);
            failing = true;
            lastWarned = error;
        } else {
            LOG.debugf("%s upstream still failing: %s", side.label(), error);
        }
        view.failed(side, error);
    }
}
