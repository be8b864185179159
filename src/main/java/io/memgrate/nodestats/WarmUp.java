package io.memgrate.nodestats;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.cluster.Side;

/**
 * The warm-up verdict, from the node readings alone (no I/O). An admitted node is warm when it has been served for at
 * least one whole interval of its last rates and its hit ratio over that interval is no more than the margin below
 * the served nodes' aggregate. The next step looks safe when the node admitted last is warm, no served node is
 * unreachable or read too long ago, and the served aggregate is no more than the margin below its level before the last
 * step.
 */
public final class WarmUp {

    /** Reads come every interval; this many intervals (and at least {@link #MIN_STALE}) without one mean none come. */
    static final int STALE_INTERVALS = 3;
    static final Duration MIN_STALE = Duration.ofSeconds(10);

    private WarmUp() {
    }

    /**
     * What Memgrate knows of the clusters and the served list now.
     *
     * @param listed       each cluster's nodes, in its order
     * @param served       the served nodes; empty before anything is served
     * @param servedSince  when each served node was first served (in the run of serving it now)
     * @param lastStep     when the served list last changed, null before it ever did
     * @param servedHitRatioBeforeLastStep the served aggregate before that change, null when unknown
     */
    public record ServedNodes(Map<Side, List<HostAndPort>> listed, Set<HostAndPort> served, Map<HostAndPort, Instant> servedSince,
            Instant lastStep, Double servedHitRatioBeforeLastStep) {
    }

    /** The served nodes' hit ratio over their last intervals, weighted by gets; null when they had none. */
    public static Double aggregateHitRatio(Collection<HostAndPort> served, Map<HostAndPort, NodeReading> readings) {
        long gets = 0;
        long hits = 0;
        for (HostAndPort node : served) {
            NodeReading reading = readings.get(node);
            if (reading != null && reading.rates() != null) {
                gets += reading.rates().gets();
                hits += reading.rates().hits();
            }
        }
        return gets == 0 ? null : (double) hits / gets;
    }

    /**
     * @param now the instant of the report: readings older than {@link #STALE_INTERVALS} intervals are not trusted, so
     *            a verdict never rests on readings that stopped coming
     */
    public static NodesReport report(Instant now, Duration statsInterval, double margin, ServedNodes state,
            Map<HostAndPort, NodeReading> readings) {
        Duration staleAfter = max(statsInterval.multipliedBy(STALE_INTERVALS), MIN_STALE);
        Double servedHitRatio = aggregateHitRatio(state.served(), readings);
        HostAndPort lastAdmitted = lastAdmitted(state);
        List<String> reasons = new ArrayList<>();
        if (statsInterval.isZero()) {
            reasons.add("node statistics are off (memgrate.nodes.stats-interval is 0)");
        }
        if (state.served().isEmpty()) {
            reasons.add("nothing is served yet");
        }
        List<NodesReport.NodeReport> primary = new ArrayList<>();
        List<NodesReport.NodeReport> secondary = new ArrayList<>();
        for (Side side : Side.values()) {
            for (HostAndPort node : state.listed().getOrDefault(side, List.of())) {
                NodeReading reading = statsInterval.isZero() ? NodeReading.UNREAD
                        : readings.getOrDefault(node, NodeReading.UNREAD);
                boolean served = state.served().contains(node);
                NodesReport.Admission admission = served ? NodesReport.Admission.SERVED
                        : side == Side.PRIMARY ? NodesReport.Admission.WITHDRAWN : NodesReport.Admission.WAITING;
                String notWarm = null;
                String stale = staleness(reading, now, staleAfter);
                if (side == Side.SECONDARY && served) {
                    notWarm = stale != null ? stale
                            : notWarmBecause(reading, state.servedSince().get(node), servedHitRatio, margin);
                }
                NodesReport.NodeReport report = new NodesReport.NodeReport(side, node, admission, reading,
                        side == Side.SECONDARY && served ? notWarm == null : null, notWarm);
                (side == Side.PRIMARY ? primary : secondary).add(report);
                if (served && !statsInterval.isZero()) {
                    if (reading.reachable() == null) {
                        reasons.add("served node " + node + " has not been read yet");
                    } else if (!reading.reachable()) {
                        reasons.add("served node " + node + " is unreachable: " + reading.unreachableReason());
                    } else if (stale != null) {
                        reasons.add("served node " + node + " " + stale);
                    }
                }
                if (node.equals(lastAdmitted) && notWarm != null && !statsInterval.isZero()) {
                    reasons.add("last admitted node " + node + " is not warm: " + notWarm);
                }
            }
        }
        Double before = state.servedHitRatioBeforeLastStep();
        if (before != null && !statsInterval.isZero()) {
            if (servedHitRatio == null) {
                reasons.add("the served nodes had no gets in the last interval, so their hit ratio cannot be compared with "
                        + ratio(before) + " before the last step");
            } else if (servedHitRatio < before - margin) {
                reasons.add("the served hit ratio " + ratio(servedHitRatio) + " is more than " + ratio(margin)
                        + " below " + ratio(before) + " before the last step");
            }
        }
        return new NodesReport(statsInterval, List.copyOf(primary), List.copyOf(secondary),
                new NodesReport.StepVerdict(reasons.isEmpty(), List.copyOf(reasons), servedHitRatio, before, lastAdmitted));
    }

    /** Null when the served node is warm; else why not. */
    static String notWarmBecause(NodeReading reading, Instant servedSince, Double servedHitRatio, double margin) {
        if (reading.reachable() == null) {
            return "not read yet";
        }
        if (!reading.reachable()) {
            return "unreachable";
        }
        IntervalRates rates = reading.rates();
        if (rates == null) {
            return "no interval measured yet";
        }
        if (servedSince == null || servedSince.isAfter(rates.from())) {
            return "served for less than one whole interval";
        }
        if (rates.gets() == 0) {
            return "no gets in the last interval";
        }
        if (servedHitRatio == null) {
            return "the served nodes had no gets in the last interval";
        }
        if (rates.hitRatio() < servedHitRatio - margin) {
            return "hit ratio " + ratio(rates.hitRatio()) + " is more than " + ratio(margin) + " below the served "
                    + ratio(servedHitRatio);
        }
        return null;
    }

    /** Null while the node's last sample is recent; else how old it is. */
    static String staleness(NodeReading reading, Instant now, Duration staleAfter) {
        if (reading.sample() == null) {
            return null;
        }
        Duration age = Duration.between(reading.sample().at(), now);
        return age.compareTo(staleAfter) > 0 ? "was last read " + age.toSeconds() + " s ago (node statistics stopped coming)"
                : null;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /**
     * The served secondary node served from the latest instant; of nodes served from the same instant (Memgrate started
     * with them served), the last the secondary lists.
     */
    static HostAndPort lastAdmitted(ServedNodes state) {
        HostAndPort last = null;
        Instant lastSince = null;
        for (HostAndPort node : state.listed().getOrDefault(Side.SECONDARY, List.of())) {
            Instant since = state.servedSince().get(node);
            if (state.served().contains(node) && since != null && (lastSince == null || !since.isBefore(lastSince))) {
                last = node;
                lastSince = since;
            }
        }
        return last;
    }

    private static String ratio(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }
}
