package io.memgrate.nodestats;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.cluster.Side;

/** The book of node readings: membership, readings across failures and restarts, bounded history, level before a step. */
class NodeStatsBookTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final HostAndPort NODE = new HostAndPort("old-1", 11211);
    private static final NodeStatsBook.ListedNode LISTED = new NodeStatsBook.ListedNode(Side.PRIMARY, NODE);

    private static StatsSample sample(long seconds, long uptime, long gets, long hits) {
        return new StatsSample(T0.plusSeconds(seconds), seconds * 1_000_000_000L, uptime, gets, hits, 0, 0, 1, 1, 2, 1);
    }

    @Test
    void unlistedNodesAreForgotten() {
        NodeStatsBook book = new NodeStatsBook();
        book.track(List.of(LISTED));
        book.track(List.of(LISTED));
        book.sampled(NODE, sample(0, 100, 0, 0));
        assertThat(book.readings()).containsOnlyKeys(NODE);
        book.track(List.of());

        assertThat(book.readings()).isEmpty();
        book.sampled(NODE, sample(1, 101, 0, 0));
        assertThat(book.readings()).isEmpty();
    }

    @Test
    void aNodeThatFailsIsUnreachableWithItsReasonAndItsRatesCoverTheGapOnceItAnswers() {
        NodeStatsBook book = new NodeStatsBook();
        book.track(List.of(LISTED));
        assertThat(book.readings().get(NODE).reachable()).isNull();

        book.sampled(NODE, sample(0, 100, 100, 50));
        book.failed(NODE, "cannot connect to 10.0.0.1:11211: Connection refused");
        NodeReading down = book.readings().get(NODE);
        book.sampled(NODE, sample(60, 160, 700, 650));
        NodeReading back = book.readings().get(NODE);

        assertThat(down.reachable()).isFalse();
        assertThat(down.unreachableReason()).isEqualTo("cannot connect to 10.0.0.1:11211: Connection refused");
        assertThat(down.sample()).isNull();
        assertThat(back.reachable()).isTrue();
        assertThat(back.rates().getsPerSecond()).isEqualTo(10.0);
        assertThat(back.rates().hitRatio()).isEqualTo(1.0);
    }

    @Test
    void aRestartedNodeHasNoRatesForThatIntervalThenRatesAgain() {
        NodeStatsBook book = new NodeStatsBook();
        book.track(List.of(LISTED));
        book.sampled(NODE, sample(0, 1000, 10_000, 9_000));
        book.sampled(NODE, sample(30, 5, 100, 10));
        NodeReading restarted = book.readings().get(NODE);
        book.sampled(NODE, sample(60, 35, 400, 160));

        assertThat(restarted.rates()).isNull();
        assertThat(restarted.sample().uptimeSeconds()).isEqualTo(5);
        assertThat(book.readings().get(NODE).rates().hitRatio()).isEqualTo(0.5);
        assertThat(book.readings().get(NODE).hitRatioHistory()).extracting(NodeReading.HitRatioPoint::hitRatio)
                .containsExactly(0.5);
    }

    @Test
    void theHistoryKeepsAtMostTheLastHourAndTheLastPoints() {
        NodeStatsBook book = new NodeStatsBook();
        book.track(List.of(LISTED));
        // 2 s apart: the point limit binds first
        for (int i = 0; i <= 1000; i++) {
            book.sampled(NODE, sample(i * 2L, 100 + i * 2L, i, i));
        }
        List<NodeReading.HitRatioPoint> history = book.readings().get(NODE).hitRatioHistory();
        assertThat(history).hasSize(NodeStatsBook.HISTORY_POINTS);
        assertThat(history.get(history.size() - 1).at()).isEqualTo(T0.plusSeconds(2000));

        // 60 s apart: the hour binds first
        NodeStatsBook hourly = new NodeStatsBook();
        hourly.track(List.of(LISTED));
        for (int i = 0; i <= 100; i++) {
            hourly.sampled(NODE, sample(i * 60L, 100 + i * 60L, i, i));
        }
        List<NodeReading.HitRatioPoint> hour = hourly.readings().get(NODE).hitRatioHistory();
        assertThat(hour).hasSize(61);
        assertThat(hour.get(0).at()).isEqualTo(T0.plusSeconds(6000 - 3600));
    }

    @Test
    void theLevelBeforeAStepIsTheAggregateOfTheLastRoundThatEndedBeforeIt() {
        NodeStatsBook book = new NodeStatsBook();
        book.track(List.of(LISTED));
        book.sampled(NODE, sample(0, 100, 0, 0));
        book.roundEnded(T0, Set.of(NODE));
        book.sampled(NODE, sample(30, 130, 100, 90));
        book.roundEnded(T0.plusSeconds(30), Set.of(NODE));
        book.sampled(NODE, sample(60, 160, 200, 140));
        book.roundEnded(T0.plusSeconds(60), Set.of(NODE));

        assertThat(book.servedHitRatioBefore(T0.plusSeconds(45))).isEqualTo(0.9);
        assertThat(book.servedHitRatioBefore(T0.plusSeconds(10))).isNull();
        assertThat(book.servedHitRatioBefore(T0.plusSeconds(61))).isEqualTo(0.5);
        // worked out once: later rounds do not change the level before a step already asked about
        book.sampled(NODE, sample(90, 190, 300, 300));
        book.roundEnded(T0.plusSeconds(90), Set.of(NODE));
        assertThat(book.servedHitRatioBefore(T0.plusSeconds(61))).isEqualTo(0.5);
    }
}
