package io.memgrate.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.memgrate.support.TestSettings;
import io.smallrye.config.ConfigValidationException;

/** Durations in configuration: Quarkus' forms, and a malformed one answered with the forms that work. */
class DurationsTest {

    private final Durations.Converter converter = new Durations.Converter();

    @Test
    void acceptsQuarkusForms() {
        assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(converter.convert("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(converter.convert("5")).isEqualTo(Duration.ofSeconds(5));
        assertThat(converter.convert("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(converter.convert("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(converter.convert("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(converter.convert("PT5S")).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void namesTheAcceptedFormsOfAMalformedDuration() {
        assertThatThrownBy(() -> converter.convert("banana")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("(not a duration: write a number with a unit (500ms, 5s, 1m, 2h, 1d; a bare number is"
                        + " seconds) or ISO-8601 (PT5S))");
        assertThatThrownBy(() -> converter.convert("5 seconds")).hasMessageContaining("not a duration");
    }

    @Test
    void everyDurationSettingSaysWhichFormsWork() {
        for (String property : List.of("memgrate.refresh-interval", "memgrate.shutdown-drain-timeout",
                "memgrate.client.idle-timeout", "memgrate.aws.resolve-interval", "memgrate.upstream.timeout")) {
            assertThatThrownBy(() -> TestSettings.read(property, "banana"))
                    .isInstanceOf(ConfigValidationException.class)
                    .hasMessageContaining("config property " + property + " with the config value \"banana\"")
                    .hasMessageContaining("(not a duration: write " + Durations.ACCEPTED + ")");
        }
    }
}
