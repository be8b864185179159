package io.memgrate.nodestats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.cluster.Side;

/** The warm-up verdict and the next step's, from readings alone. */
class WarmUpTest {

    private static final Duration INTERVAL = Duration.ofSeconds(30);
    private static final double MARGIN = 0.05;
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    /** Just after the readings' last samples. */
    private static final Instant NOW = T0.plus(INTERVAL).plusSeconds(1);
    private static final HostAndPort OLD_1 = new HostAndPort("old-1", 11211);
    private static final HostAndPort OLD_2 = new HostAndPort("old-2", 11211);
    private static final HostAndPort NEW_1 = new HostAndPort("new-1", 11211);
    private static final HostAndPort NEW_2 = new HostAndPort("new-2", 11211);
    private static final Map<Side, List<HostAndPort>> LISTED = Map.of(Side.PRIMARY, List.of(OLD_1, OLD_2),
            Side.SECONDARY, List.of(NEW_1, NEW_2));

    /** A reachable node's reading whose last interval, from {@code from} to 30 s later, had these gets and hits. */
    private static NodeReading read(Instant from, long gets, long hits) {
        StatsSample sample = new StatsSample(from.plus(INTERVAL), 0, 1000, 0, 0, 0, 0, 5, 100, 1000, 2);
        return new NodeReading(true, null, sample,
                new IntervalRates(from, from.plus(INTERVAL), gets, hits, gets / 30.0, 0, 0), List.of());
    }

    /** Both old nodes at 95 % from T0 to T0 + 30 s, and {@code more} on top. */
    private static Map<HostAndPort, NodeReading> readings(Object... more) {
        Map<HostAndPort, NodeReading> readings = new HashMap<>(Map.of(OLD_1, read(T0, 1000, 950), OLD_2, read(T0, 1000, 950)));
        for (int i = 0; i < more.length; i += 2) {
            readings.put((HostAndPort) more[i], (NodeReading) more[i + 1]);
        }
        return readings;
    }

    /** new-1 admitted at {@code admitted} (old nodes served from before T0), last step then, with a level before it. */
    private static WarmUp.ServedNodes admittedNew1(Instant admitted, Double before) {
        Instant long_ago = T0.minusSeconds(3600);
        return new WarmUp.ServedNodes(LISTED, Set.of(OLD_1, OLD_2, NEW_1),
                Map.of(OLD_1, long_ago, OLD_2, long_ago, NEW_1, admitted), admitted, before);
    }

    @Test
    void anAdmittedNodeWithinTheMarginOfTheServedHitRatioAfterAWholeIntervalIsWarm() {
        // new-1 at 92 %: served aggregate (950 + 950 + 920) / 3000 = 0.94, and 0.92 is within 0.05 of it
        NodesReport report = WarmUp.report(NOW, INTERVAL, MARGIN, admittedNew1(T0.minusSeconds(1), 0.95),
                readings(NEW_1, read(T0, 1000, 920)));

        NodesReport.NodeReport new1 = report.node(Side.SECONDARY, NEW_1);
        assertThat(new1.warm()).isTrue();
        assertThat(new1.notWarmBecause()).isNull();
        assertThat(new1.admission()).isEqualTo(NodesReport.Admission.SERVED);
        assertThat(report.nextStep().servedHitRatio()).isCloseTo(0.94, within(1e-9));
        assertThat(report.nextStep().lastAdmitted()).isEqualTo(NEW_1);
        assertThat(report.nextStep().reasons()).isEmpty();
        assertThat(report.nextStep().safe()).isTrue();
    }

    @Test
    void aColdAdmittedNodeIsNotWarmAndBlocksTheNextStep() {
        // new-1 at 50 %: aggregate (950 + 950 + 500) / 3000 = 0.8
        NodesReport report = WarmUp.report(NOW, INTERVAL, MARGIN, admittedNew1(T0.minusSeconds(1), 0.95),
                readings(NEW_1, read(T0, 1000, 500)));

        assertThat(report.node(Side.SECONDARY, NEW_1).warm()).isFalse();
        assertThat(report.node(Side.SECONDARY, NEW_1).notWarmBecause())
                .isEqualTo("hit ratio 0.500 is more than 0.050 below the served 0.800");
        assertThat(report.nextStep().safe()).isFalse();
        assertThat(report.nextStep().reasons()).containsExactly(
                "last admitted node new-1:11211 is not warm: hit ratio 0.500 is more than 0.050 below the served 0.800",
                "the served hit ratio 0.800 is more than 0.050 below 0.950 before the last step");
    }

    @Test
    void aNodeMustHaveBeenServedForTheWholeIntervalItIsJudgedOn() {
        // a perfect hit ratio, but admitted 1 s into the interval: some of those gets were not clients' yet
        NodesReport report = WarmUp.report(NOW, INTERVAL, MARGIN, admittedNew1(T0.plusSeconds(1), null),
                readings(NEW_1, read(T0, 1000, 1000)));

        assertThat(report.node(Side.SECONDARY, NEW_1).warm()).isFalse();
        assertThat(report.node(Side.SECONDARY, NEW_1).notWarmBecause()).isEqualTo("served for less than one whole interval");
        assertThat(report.nextStep().safe()).isFalse();
    }

    @Test
    void readingsThatStoppedComingAreNotTrusted() {
        // every sample was taken at T0 + 30 s; 3 intervals later the node statistics are not current
        Instant later = T0.plus(INTERVAL).plus(INTERVAL.multipliedBy(3)).plusSeconds(1);
        NodesReport report = WarmUp.report(later, INTERVAL, MARGIN, admittedNew1(T0.minusSeconds(1), 0.95),
                readings(NEW_1, read(T0, 1000, 920)));

        String stale = "was last read 91 s ago (node statistics stopped coming)";
        assertThat(report.node(Side.SECONDARY, NEW_1).warm()).isFalse();
        assertThat(report.node(Side.SECONDARY, NEW_1).notWarmBecause()).isEqualTo(stale);
        assertThat(report.nextStep().safe()).isFalse();
        assertThat(report.nextStep().reasons()).containsExactly("served node old-1:11211 " + stale,
                "served node old-2:11211 " + stale, "served node new-1:11211 " + stale,
                "last admitted node new-1:11211 is not warm: " + stale);

        Instant inTime = T0.plus(INTERVAL).plus(INTERVAL.multipliedBy(3));
        assertThat(WarmUp.report(inTime, INTERVAL, MARGIN, admittedNew1(T0.minusSeconds(1), 0.95),
                readings(NEW_1, read(T0, 1000, 920))).nextStep().safe()).isTrue();
    }

    @Test
    void theMarginDecides() {
        // aggregate (950 + 950 + 850) / 3000 = 0.9167: new-1 at 0.85 is 0.067 below it; with 880, 0.88 is 0.047 below 0.9267
        Map<HostAndPort, NodeReading> cold = readings(NEW_1, read(T0, 1000, 850));
        Map<HostAndPort, NodeReading> warm = readings(NEW_1, read(T0, 1000, 880));

        assertThat(WarmUp.report(NOW, INTERVAL, MARGIN, admittedNew1(T0, null), cold).node(Side.SECONDARY, NEW_1).warm()).isFalse();
        assertThat(WarmUp.report(NOW, INTERVAL, MARGIN, admittedNew1(T0, null), warm).node(Side.SECONDARY, NEW_1).warm()).isTrue();
        assertThat(WarmUp.report(NOW, INTERVAL, 0.07, admittedNew1(T0, null), cold).node(Side.SECONDARY, NEW_1).warm()).isTrue();
    }

    @Test
    void nodesThePlanDidNotAdmitHaveNoWarmVerdictAndAWaitingOneDoesNotBlock() {
        NodesReport report = WarmUp.report(NOW, INTERVAL, MARGIN, admittedNew1(T0.minusSeconds(1), null),
                readings(NEW_1, read(T0, 1000, 960), NEW_2, read(T0, 1000, 0)));

        assertThat(report.node(Side.PRIMARY, OLD_1).warm()).isNull();
        assertThat(report.node(Side.PRIMARY, OLD_1).admission()).isEqualTo(NodesReport.Admission.SERVED);
        assertThat(report.node(Side.SECONDARY, NEW_2).warm()).isNull();
        assertThat(report.node(Side.SECONDARY, NEW_2).admission()).isEqualTo(NodesReport.Admission.WAITING);
        assertThat(report.nextStep().safe()).isTrue();
    }

    @Test
    void aWithdrawnNodeIsSaidSoAndItsUnreachabilityDoesNotBlock() {
        WarmUp.ServedNodes withdrawn = new WarmUp.ServedNodes(LISTED, Set.of(OLD_2, NEW_1),
                Map.of(OLD_2, T0.minusSeconds(3600), NEW_1, T0.minusSeconds(3600)), T0.minusSeconds(60), 0.95);
        NodesReport report = WarmUp.report(NOW, INTERVAL, MARGIN, withdrawn,
                readings(OLD_1, new NodeReading(false, "cannot connect", null, null, List.of()), NEW_1, read(T0, 1000, 950)));

        assertThat(report.node(Side.PRIMARY, OLD_1).admission()).isEqualTo(NodesReport.Admission.WITHDRAWN);
        assertThat(report.nextStep().servedHitRatio()).isCloseTo(0.95, within(1e-9));
        assertThat(report.nextStep().safe()).isTrue();
    }

    @Test
    void anUnreachableOrUnreadServedNodeBlocksTheNextStepAndCountsInNoAggregate() {
        NodesReport report = WarmUp.report(NOW, INTERVAL, MARGIN, admittedNew1(T0.minusSeconds(1), null), readings(
                OLD_2, new NodeReading(false, "no complete reply within 2000 ms", null, null, List.of()),
                NEW_1, read(T0, 1000, 940)));

        assertThat(report.nextStep().servedHitRatio()).isCloseTo(0.945, within(1e-9));
        assertThat(report.nextStep().reasons())
                .containsExactly("served node old-2:11211 is unreachable: no complete reply within 2000 ms");

        Map<HostAndPort, NodeReading> unread = readings(NEW_1, read(T0, 1000, 940));
        unread.remove(OLD_1);
        assertThat(WarmUp.report(NOW, INTERVAL, MARGIN, admittedNew1(T0.minusSeconds(1), null), unread).nextStep().reasons())
                .containsExactly("served node old-1:11211 has not been read yet");
    }

    @Test
    void anAdmittedNodeWithoutGetsOrUnreachableIsNotWarm() {
        NodesReport idle = WarmUp.report(NOW, INTERVAL, MARGIN, admittedNew1(T0.minusSeconds(1), null),
                readings(NEW_1, read(T0, 0, 0)));
        NodesReport down = WarmUp.report(NOW, INTERVAL, MARGIN, admittedNew1(T0.minusSeconds(1), null),
                readings(NEW_1, new NodeReading(false, "refused", null, null, List.of())));

        assertThat(idle.node(Side.SECONDARY, NEW_1).notWarmBecause()).isEqualTo("no gets in the last interval");
        assertThat(down.node(Side.SECONDARY, NEW_1).notWarmBecause()).isEqualTo("unreachable");
        assertThat(down.nextStep().reasons()).hasSize(2);
    }

    @Test
    void theLastAdmittedIsTheNodeServedLatestOrOfThoseServedTogetherTheLastListed() {
        Instant start = T0.minusSeconds(3600);
        Map<HostAndPort, Instant> together = Map.of(OLD_1, start, NEW_1, start, NEW_2, start);
        Map<HostAndPort, Instant> new1Later = Map.of(OLD_1, start, NEW_1, T0, NEW_2, start);
        Set<HostAndPort> served = Set.of(OLD_1, NEW_1, NEW_2);

        assertThat(WarmUp.lastAdmitted(new WarmUp.ServedNodes(LISTED, served, together, null, null))).isEqualTo(NEW_2);
        assertThat(WarmUp.lastAdmitted(new WarmUp.ServedNodes(LISTED, served, new1Later, T0, null))).isEqualTo(NEW_1);
        assertThat(WarmUp.lastAdmitted(new WarmUp.ServedNodes(LISTED, Set.of(OLD_1), Map.of(OLD_1, start), null, null))).isNull();
    }

    @Test
    void withNodeStatisticsOffNothingIsReadAndNoStepLooksSafe() {
        NodesReport report = WarmUp.report(NOW, Duration.ZERO, MARGIN, admittedNew1(T0.minusSeconds(1), 0.95),
                readings(NEW_1, read(T0, 1000, 950)));

        assertThat(report.node(Side.PRIMARY, OLD_1).reading().reachable()).isNull();
        assertThat(report.nextStep().safe()).isFalse();
        assertThat(report.nextStep().reasons()).containsExactly("node statistics are off (memgrate.nodes.stats-interval is 0)");
    }

    @Test
    void nothingServedIsNoSafeStep() {
        NodesReport report = WarmUp.report(NOW, INTERVAL, MARGIN, new WarmUp.ServedNodes(LISTED, Set.of(), Map.of(), null, null),
                Map.of());

        assertThat(report.nextStep().reasons()).containsExactly("nothing is served yet");
        assertThat(report.node(Side.SECONDARY, NEW_1).admission()).isEqualTo(NodesReport.Admission.WAITING);
    }
}
