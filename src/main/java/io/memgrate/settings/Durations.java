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
}
