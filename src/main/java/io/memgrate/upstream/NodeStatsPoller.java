package io.memgrate.upstream;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.cluster.Node;
import io.memgrate.merge.MergeEngine;
import io.memgrate.merge.UpstreamState;
import io.memgrate.nodestats.NodeStatsBook;
import io.memgrate.nodestats.StatsSample;
import io.memgrate.protocol.MalformedReplyException;
import io.memgrate.protocol.ReplyDecoder;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;

/**
 * Reads {@code stats} from every node of both clusters (served, withdrawn and not admitted alike) once per interval,
 * over one reused connection per node with the configuration endpoints' timeout and TLS and a reply size limit of its
 * own (a node's reply is a few KB, and one that streams without end must cost little), and
 * writes what it learns in the {@link NodeStatsBook}. Each node is read at its own offset into the interval, so the
 * work comes in small pieces; a node that keeps failing is read less often ({@link #backoffRounds}). A node whose last request is still out is skipped, so each node gets at most one request
 * per interval whatever happens; status readers and metrics scrapes never reach a node.
 * Nothing here touches the served configuration.
 */
final class NodeStatsPoller {

    private static final Logger LOG = Logger.getLogger(NodeStatsPoller.class);
    private static final Buffer STATS = Buffer.buffer("stats\r\n");
    /** A node that keeps failing is read at most this many intervals apart... */
    static final int MAX_BACKOFF_INTERVALS = 8;
    /** ...and at least this often, so that one that recovers is seen soon whatever the interval. */
    static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    private final Context context;
    private final NetClient client;
    private final MergeEngine view;
    private final NodeStatsBook book;
    private final long intervalMillis;
    /** The most rounds a failing node is skipped for, from {@link #MAX_BACKOFF_INTERVALS} and {@link #MAX_BACKOFF}. */
    private final long maxBackoffRounds;
    private final Duration timeout;
    private final int maxReplyBytes;
    private final boolean tls;
    private final Clock clock = Clock.systemUTC();
    /** By node; touched on the context only. */
    private final Map<HostAndPort, Polled> polled = new HashMap<>();
    private long timer = -1;
    /** Rounds begun so far; touched on the context only. */
    private long rounds;

    /** One node's connection, whether a request is out on it, and when a node that keeps failing is read next. */
    private static final class Polled {
        final HostAndPort address;
        final UpstreamConnection connection;
        boolean requestOut;
        int failuresInARow;
        long nextRound;

        Polled(HostAndPort address, UpstreamConnection connection) {
            this.address = address;
            this.connection = connection;
        }
    }

    NodeStatsPoller(Context context, NetClient client, MergeEngine view, NodeStatsBook book, Duration interval,
            Duration timeout, int maxReplyBytes, boolean tls) {
        this.context = context;
        this.client = client;
        this.view = view;
        this.book = book;
        this.intervalMillis = Math.max(1, interval.toMillis());
        this.maxBackoffRounds = Math.max(1, Math.min(MAX_BACKOFF_INTERVALS, MAX_BACKOFF.toMillis() / intervalMillis));
        this.timeout = timeout;
        this.maxReplyBytes = maxReplyBytes;
        this.tls = tls;
    }

    void start() {
        context.runOnContext(v -> timer = context.owner().setPeriodic(intervalMillis, id -> round()));
    }

    void stop() {
        context.runOnContext(v -> {
            context.owner().cancelTimer(timer);
            polled.values().forEach(node -> node.connection.reset(new UpstreamException("stopped", "Memgrate is shutting down")));
            polled.clear();
        });
    }

    /**
     * One request to every listed node that has none out and is not backing off, spread over the interval; an
     * exception is logged and the next round goes on.
     */
    private void round() {
        rounds++;
        try {
            MergeEngine.Snapshot merged = view.snapshot();
            Map<HostAndPort, Node> listed = new LinkedHashMap<>();
            List<NodeStatsBook.ListedNode> bySide = new ArrayList<>();
            for (UpstreamState upstream : merged.upstreams()) {
                if (upstream.lastGood() != null) {
                    for (Node node : upstream.lastGood().nodes()) {
                        listed.putIfAbsent(node.hostAndPort(), node);
                        bySide.add(new NodeStatsBook.ListedNode(upstream.side(), node.hostAndPort()));
                    }
                }
            }
            book.track(bySide);
            forgetUnlisted(listed);
            if (merged.lastStep() != null) {
                book.servedHitRatioBefore(merged.lastStep());
            }
            Set<HostAndPort> served = merged.served() == null ? Set.of()
                    : merged.served().nodes().stream().map(Node::hostAndPort).collect(Collectors.toSet());
            List<Future<?>> requests = new ArrayList<>();
            int index = 0;
            for (Map.Entry<HostAndPort, Node> entry : listed.entrySet()) {
                Polled target = connectionTo(entry.getKey(), entry.getValue());
                if (!target.requestOut && rounds >= target.nextRound) {
                    requests.add(readAt(index * intervalMillis / listed.size(), entry.getKey(), target));
                }
                index++;
            }
            Future.join(requests).onComplete(done -> book.roundEnded(clock.instant(), served));
        } catch (RuntimeException e) {
            LOG.errorf(e, "Node statistics: unexpected failure in a round; the next round goes on");
        }
    }

    /**
     * Reads {@code node} {@code offsetMillis} into the round: each node at its own offset, so that the replies of
     * hundreds of nodes come spread over the interval instead of in one burst on an event loop that also answers
     * clients. Completes when the read is done, or at once when the node is no longer read by then.
     */
    private Future<?> readAt(long offsetMillis, HostAndPort node, Polled target) {
        target.requestOut = true;
        if (offsetMillis == 0) {
            return read(node, target);
        }
        Promise<Object> done = Promise.promise();
        context.owner().setTimer(offsetMillis, id -> {
            if (polled.get(node) == target) {
                read(node, target).onComplete(read -> done.complete());
            } else {
                done.complete();
            }
        });
        return done.future();
    }

    private Future<StatsSample> read(HostAndPort node, Polled target) {
        return target.connection.exchange(STATS, ReplyDecoder.statValues())
                .map(values -> StatsSample.of(values, clock.instant(), System.nanoTime()))
                .onComplete(done -> {
                    target.requestOut = false;
                    if (done.succeeded()) {
                        target.failuresInARow = 0;
                        book.sampled(node, done.result());
                    } else {
                        target.failuresInARow++;
                        target.nextRound = rounds + backoffRounds(target.failuresInARow);
                        book.failed(node, reason(done.cause()));
                    }
                });
    }

    /**
     * Rounds until a node that failed {@code failuresInARow} times in a row is read again: 1, 2, 4, ... up to the
     * cap. Each read of a node that is down or answers garbage costs a connection and an error; one that recovers is
     * seen within the cap.
     */
    long backoffRounds(int failuresInARow) {
        return Math.min(maxBackoffRounds, 1L << Math.min(failuresInARow - 1, 30));
    }

    private String reason(Throwable error) {
        if (error instanceof UpstreamException refused && refused.reason().equals("malformed-too-large")) {
            return "stats reply is larger than the limit of " + maxReplyBytes
                    + " bytes (memgrate.nodes.max-stats-reply-bytes); refused as it streamed in";
        }
        if (error instanceof MalformedReplyException malformed) {
            // whole but not stats (an error line, a missing value): as the connection says of replies it cannot frame
            return "malformed reply: " + malformed.getMessage();
        }
        return error instanceof UpstreamException ? error.getMessage() : "unexpected failure: " + error;
    }

    /** The connection to {@code node}, opened again when its address changed. */
    private Polled connectionTo(HostAndPort key, Node node) {
        HostAndPort address = statsAddress(node, tls);
        Polled current = polled.get(key);
        if (current != null && !current.address.equals(address)) {
            current.connection.reset(new UpstreamException("moved", "the node moved to " + address));
            current = null;
        }
        if (current == null) {
            current = new Polled(address, new UpstreamConnection(context, client, EndpointSource.fixed(address), timeout,
                    maxReplyBytes));
            polled.put(key, current);
        }
        return current;
    }

    private void forgetUnlisted(Map<HostAndPort, Node> listed) {
        for (Iterator<Map.Entry<HostAndPort, Polled>> it = polled.entrySet().iterator(); it.hasNext();) {
            Map.Entry<HostAndPort, Polled> entry = it.next();
            if (!listed.containsKey(entry.getKey())) {
                entry.getValue().connection.reset(new UpstreamException("unlisted", "no cluster lists the node any more"));
                it.remove();
            }
        }
    }

    /**
     * Where a node is read: at its IP when the cluster lists one, as clients reach it; by host name with TLS, whose
     * certificate names the host, or when it has no IP.
     */
    static HostAndPort statsAddress(Node node, boolean tls) {
        return tls || node.ip().isEmpty() ? node.hostAndPort() : new HostAndPort(node.ip(), node.port());
    }
}
