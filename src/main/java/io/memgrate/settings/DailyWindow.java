package io.memgrate.settings;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A daily window in UTC, {@code HH:MM-HH:MM}, start included and end excluded; one whose end is before its start wraps
 * midnight ({@code 22:00-02:00}).
 */
public record DailyWindow(LocalTime start, LocalTime end) {

    private static final Pattern FORM = Pattern.compile("(\\d{2}:\\d{2})-(\\d{2}:\\d{2})");
    private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm").withResolverStyle(ResolverStyle.STRICT);

    /** Parses {@code HH:MM-HH:MM}; throws {@link IllegalArgumentException} saying what is wrong. */
    public static DailyWindow parse(String text) {
        Matcher matcher = FORM.matcher(text.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("write it as HH:MM-HH:MM in UTC, e.g. 02:00-06:00");
        }
        try {
            DailyWindow window = new DailyWindow(LocalTime.parse(matcher.group(1), HH_MM),
                    LocalTime.parse(matcher.group(2), HH_MM));
            if (window.start.equals(window.end)) {
                throw new IllegalArgumentException("its start and end are the same; leave it unset for any time of day");
            }
            return window;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("hours are 00-23 and minutes 00-59, e.g. 02:00-06:00");
        }
    }

    /** Whether {@code at} falls inside the window, on its UTC day. */
    public boolean contains(Instant at) {
        LocalTime time = LocalTime.ofInstant(at, ZoneOffset.UTC);
        return start.isBefore(end) ? !time.isBefore(start) && time.isBefore(end)
                : !time.isBefore(start) || time.isBefore(end);
    }

    @Override
    public String toString() {
        return HH_MM.format(start) + "-" + HH_MM.format(end);
    }
}
