package io.memgrate.settings;

import java.time.DateTimeException;
import java.time.Duration;

/** Durations in configuration: Quarkus' syntax, with an error that says which forms are accepted. */
public final class Durations {

    static final String ACCEPTED = "a number with a unit (500ms, 5s, 1m, 2h, 1d; a bare number is seconds)"
            + " or ISO-8601 (PT5S)";

    private Durations() {
    }

    /** For {@code @WithConverter}: SmallRye prefixes the message with the property's name and value. */
    public static final class Converter implements org.eclipse.microprofile.config.spi.Converter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return io.quarkus.runtime.configuration.DurationConverter.parseDuration(value);
            } catch (IllegalArgumentException | DateTimeException e) {
                throw new IllegalArgumentException("(not a duration: write " + ACCEPTED + ")", e);
            }
        }
    }

    /** In the settings' own form, whole units down to seconds: {@code 4m12s}, {@code 10m}, {@code 1h}; below 1 s {@code 500ms}. */
    public static String format(Duration duration) {
        if (duration.compareTo(Duration.ofSeconds(1)) < 0) {
            return duration.toMillis() + "ms";
        }
        StringBuilder text = new StringBuilder();
        long hours = duration.toHours();
        int minutes = duration.toMinutesPart();
        int seconds = duration.toSecondsPart();
        if (hours > 0) {
            text.append(hours).append('h');
        }
        if (minutes > 0) {
            text.append(minutes).append('m');
        }
        if (seconds > 0) {
            text.append(seconds).append('s');
        }
        return text.toString();
    }
}
