package io.memgrate.nodestats;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.cluster.Side;

/**
 * What Memgrate reads from the cache nodes of both clusters: for each node its last sample, its rates over the last
 * interval and the hit ratio of each interval of the last hour; and the served nodes' aggregate hit ratio at the end
 * of each round of reads. Fed by the node statistics poller; read by the status, at any time, from an immutable copy.
 */
@ApplicationScoped
public class NodeStatsBook {

    private static final Logger LOG = Logger.getLogger(NodeStatsBook.class);

    /** Hit ratio points kept per node: an hour at 10 s intervals; shorter intervals keep less than an hour. */
    public static final int HISTORY_POINTS = 360;
    static final Duration HISTORY = Duration.ofHours(1);
    /** Round aggregates kept to find the one before a step: the status looks for it every round. */
    private static final int ROUNDS_KEPT = 8;

    /** A node as one cluster lists it. */
    public record ListedNode(Side side, HostAndPort node) {
    }

    /** The served nodes' aggregate hit ratio at the end of a round; null when they had no gets. */
    private record RoundAggregate(Instant at, Double hitRatio) {
    }

    /** The aggregate before one step, worked out once. */
    private record BeforeStep(Instant step, Double hitRatio) {
    }

    /** A node's state; only its reading leaves this class. */
    private static final class Entry {
        StatsSample lastSample;
        NodeReading reading = NodeReading.UNREAD;
        Deque<NodeReading.HitRatioPoint> history = new ArrayDeque<>();
    }

    private final Map<HostAndPort, Entry> entries = new HashMap<>();
    private final Deque<RoundAggregate> rounds = new ArrayDeque<>();
    private BeforeStep beforeStep;
    /** The readings as last copied for readers; copied again on the first read after a change, not on every change. */
    private Map<HostAndPort, NodeReading> readings = Map.of();
    private boolean changed;

    /** Every node's reading now, by host and port: nodes listed but not read yet have {@code reachable} null. */
    public synchronized Map<HostAndPort, NodeReading> readings() {
        if (changed) {
            Map<HostAndPort, NodeReading> copy = new HashMap<>();
            entries.forEach((node, entry) -> copy.put(node, entry.reading));
            readings = Map.copyOf(copy);
            changed = false;
        }
        return readings;
    }

    /** The nodes both clusters list now; nodes no longer listed by any are forgotten. */
    public synchronized void track(Collection<ListedNode> nodes) {
        Set<HostAndPort> addresses = new LinkedHashSet<>();
        for (ListedNode node : nodes) {
            addresses.add(node.node());
            entries.computeIfAbsent(node.node(), key -> new Entry());
        }
        entries.keySet().retainAll(addresses);
        publish();
    }

    /** A node answered {@code stats}. */
    public synchronized void sampled(HostAndPort node, StatsSample sample) {
        Entry entry = entries.get(node);
        if (entry == null) {
            return;
        }
        if (Boolean.FALSE.equals(entry.reading.reachable())) {
            LOG.infof("Node %s answers stats again", node);
        }
        IntervalRates rates = null;
        if (entry.lastSample != null) {
            if (IntervalRates.restarted(entry.lastSample, sample)) {
                LOG.infof("Node %s restarted or its counters were reset (uptime %d s, then %d s; gets %d, then %d): its"
                        + " rates start again from this sample", node, entry.lastSample.uptimeSeconds(),
                        sample.uptimeSeconds(), entry.lastSample.gets(), sample.gets());
            } else {
                rates = IntervalRates.between(entry.lastSample, sample).orElse(null);
            }
        }
        entry.lastSample = sample;
        if (rates != null) {
            entry.history.addLast(new NodeReading.HitRatioPoint(sample.at(), rates.hitRatio()));
        }
        Instant oldest = sample.at().minus(HISTORY);
        while (!entry.history.isEmpty()
                && (entry.history.size() > HISTORY_POINTS || entry.history.peekFirst().at().isBefore(oldest))) {
            entry.history.removeFirst();
        }
        entry.reading = new NodeReading(true, null, sample, rates, List.copyOf(entry.history));
        publish();
    }

    /**
     * A node did not answer {@code stats} usably. Its last sample stays, so once it answers again its rates cover the
     * time it did not (unless it restarted meanwhile).
     */
    public synchronized void failed(HostAndPort node, String reason) {
        Entry entry = entries.get(node);
        if (entry == null) {
            return;
        }
        if (!Boolean.FALSE.equals(entry.reading.reachable())) {
            LOG.warnf("Node %s is unreachable for statistics: %s. The served configuration does not change; it is read"
                    + " again, less often while it keeps failing.", node, reason);
        }
        entry.reading = new NodeReading(false, reason, null, null, entry.reading.hitRatioHistory());
        publish();
    }

    /** Every sample and failure changes the readings: copying them all each time would be O(nodes) per read. */
    private void publish() {
        changed = true;
    }

    /** A round of reads ended; {@code served} were the nodes served when it began. */
    public synchronized void roundEnded(Instant at, Collection<HostAndPort> served) {
        rounds.addLast(new RoundAggregate(at, WarmUp.aggregateHitRatio(served, readings())));
        while (rounds.size() > ROUNDS_KEPT) {
            rounds.removeFirst();
        }
    }

    /**
     * The served nodes' aggregate hit ratio at the end of the last round before {@code step}: their level before it.
     * Null when no round ended before it (or none since Memgrate started), or they had no gets. Worked out once per
     * step, the first time it is asked for, so ask every round.
     */
    public synchronized Double servedHitRatioBefore(Instant step) {
        if (beforeStep == null || !beforeStep.step().equals(step)) {
            Double level = null;
            for (RoundAggregate round : rounds) {
                if (!round.at().isAfter(step)) {
                    level = round.hitRatio();
                }
            }
            beforeStep = new BeforeStep(step, level);
        }
        return beforeStep.hitRatio();
    }
}
