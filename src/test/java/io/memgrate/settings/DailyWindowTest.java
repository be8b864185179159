package io.memgrate.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class DailyWindowTest {

    private static Instant at(String time) {
        return Instant.parse("2026-12-07T" + time + ":00Z");
    }

    @Test
    void aWindowWithinADayIncludesItsStartAndNotItsEnd() {
        DailyWindow window = DailyWindow.parse("02:00-06:00");
        assertThat(window.contains(at("01:59"))).isFalse();
        assertThat(window.contains(at("02:00"))).isTrue();
        assertThat(window.contains(at("05:59"))).isTrue();
        assertThat(window.contains(at("06:00"))).isFalse();
        assertThat(window).hasToString("02:00-06:00");
    }

    @Test
    void aWindowWhoseEndIsBeforeItsStartWrapsMidnight() {
        DailyWindow window = DailyWindow.parse("22:30-02:00");
        assertThat(window.contains(at("22:29"))).isFalse();
        assertThat(window.contains(at("22:30"))).isTrue();
        assertThat(window.contains(at("23:59"))).isTrue();
        assertThat(window.contains(at("00:00"))).isTrue();
        assertThat(window.contains(at("01:59"))).isTrue();
        assertThat(window.contains(at("02:00"))).isFalse();
        assertThat(window.contains(at("12:00"))).isFalse();
    }
}
