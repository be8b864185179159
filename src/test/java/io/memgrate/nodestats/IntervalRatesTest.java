package io.memgrate.nodestats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** Rates from consecutive samples of a node's counters, across restarts and counter resets. */
class IntervalRatesTest {

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    /** A sample {@code seconds} after the start, of a node up for {@code uptime} seconds. */
    private static StatsSample sample(long seconds, long uptime, long gets, long hits, long sets, long evictions) {
        return new StatsSample(START.plusSeconds(seconds), seconds * 1_000_000_000L, uptime, gets, hits, sets, evictions,
                10, 1000, 4000, 3);
    }

    @Test
    void ratesAreTheCountersDifferenceOverTheTimeBetween() {
        IntervalRates rates = IntervalRates.between(sample(0, 100, 1000, 900, 50, 0), sample(30, 130, 1600, 1050, 110, 30))
                .orElseThrow();

        assertThat(rates.gets()).isEqualTo(600);
        assertThat(rates.hits()).isEqualTo(150);
        assertThat(rates.hitRatio()).isEqualTo(0.25);
        assertThat(rates.getsPerSecond()).isEqualTo(20.0);
        assertThat(rates.setsPerSecond()).isEqualTo(2.0);
        assertThat(rates.evictionsPerSecond()).isEqualTo(1.0);
        assertThat(rates.from()).isEqualTo(START);
        assertThat(rates.to()).isEqualTo(START.plusSeconds(30));
    }

    @Test
    void noGetsIsNoHitRatio() {
        IntervalRates rates = IntervalRates.between(sample(0, 100, 5, 5, 0, 0), sample(30, 130, 5, 5, 9, 0)).orElseThrow();

        assertThat(rates.hitRatio()).isNaN();
        assertThat(rates.getsPerSecond()).isZero();
    }

    /** A node fed through a sequence: up, restarted (process), up, counters reset (stats reset), up. */
    @Test
    void aRestartOrACounterResetGivesNoRateForItsIntervalAndNeverANegativeOne() {
        List<StatsSample> samples = List.of(
                sample(0, 1000, 10_000, 9_000, 500, 7),
                sample(30, 1030, 13_000, 11_700, 800, 9),
                // restarted 10 s ago: every counter and the uptime start again
                sample(60, 10, 400, 100, 40, 0),
                sample(90, 40, 1_600, 700, 100, 0),
                // restarted 25 s ago, and busy since: counters above the last sample's, only the uptime tells
                sample(120, 25, 9_000, 8_000, 700, 3),
                sample(150, 55, 9_300, 8_150, 760, 3),
                // stats reset: the process goes on, its counters start again
                sample(180, 85, 20, 10, 1, 0),
                sample(210, 115, 320, 310, 31, 0));
        List<Optional<IntervalRates>> rates = new ArrayList<>();
        for (int i = 1; i < samples.size(); i++) {
            rates.add(IntervalRates.between(samples.get(i - 1), samples.get(i)));
        }

        assertThat(rates).extracting(Optional::isPresent).containsExactly(true, false, true, false, true, false, true);
        assertThat(rates.get(0).orElseThrow().hitRatio()).isCloseTo(0.9, within(1e-9));
        assertThat(rates.get(2).orElseThrow().getsPerSecond()).isEqualTo(40.0);
        assertThat(rates.get(2).orElseThrow().hitRatio()).isEqualTo(0.5);
        assertThat(rates.get(4).orElseThrow().hitRatio()).isEqualTo(0.5);
        assertThat(rates.get(6).orElseThrow().hitRatio()).isEqualTo(1.0);
        rates.stream().flatMap(Optional::stream).forEach(rate -> {
            assertThat(rate.getsPerSecond()).isNotNegative();
            assertThat(rate.setsPerSecond()).isNotNegative();
            assertThat(rate.evictionsPerSecond()).isNotNegative();
            assertThat(rate.hitRatio()).isBetween(0.0, 1.0);
        });
    }

    @Test
    void anUptimeThatLagsByUnderTheToleranceIsTheSameProcess() {
        // memcached counts whole seconds: 30.9 s measured here can show as 29 s of uptime
        StatsSample before = sample(0, 100, 0, 0, 0, 0);
        StatsSample after = new StatsSample(START.plusMillis(30_900), 30_900_000_000L, 129, 10, 5, 0, 0, 10, 1000, 4000, 3);

        assertThat(IntervalRates.restarted(before, after)).isFalse();
        assertThat(IntervalRates.between(before, after)).isPresent();
    }

    @Test
    void noTimeBetweenIsNoRate() {
        assertThat(IntervalRates.between(sample(5, 100, 1, 1, 1, 0), sample(5, 100, 1, 1, 1, 0))).isEmpty();
    }
}
