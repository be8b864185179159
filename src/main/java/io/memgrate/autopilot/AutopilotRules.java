package io.memgrate.autopilot;

import java.time.Duration;

import io.memgrate.movement.HashScheme;
import io.memgrate.settings.DailyWindow;

/**
 * What the autopilot goes by, from the settings.
 *
 * @param window        null: any time of day
 * @param statsInterval how often nodes are read; a served node unreachable for three of them undoes the last step
 */
record AutopilotRules(HashScheme scheme, Duration minDwell, DailyWindow window, Duration maxWarmup, double warmMargin,
        Duration statsInterval) {

    /** A served node unreachable for longer than this many stats intervals undoes the step watched. */
    static final int UNREACHABLE_INTERVALS = 3;

    Duration unreachableFor() {
        return statsInterval.multipliedBy(UNREACHABLE_INTERVALS);
    }
}
