package io.memgrate.autopilot;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.memgrate.plan.MigrationPlan;

/**
 * The plans the autopilot writes: the plan itself, preceded by comment lines saying which revision it wrote and why, and
 * whether it paused. The plan file's reader ignores comments; at start the autopilot reads its notes back from the plan
 * in force, so a restart goes on from that plan.
 */
final class PlanNotes {

    static final String PREFIX = "# memgrate-autopilot: ";
    private static final Pattern WROTE = Pattern.compile("^" + Pattern.quote(PREFIX) + "revision (\\d+)\\b.*$",
            Pattern.MULTILINE);
    private static final Pattern PAUSED = Pattern.compile("^" + Pattern.quote(PREFIX) + "paused: (.*)$", Pattern.MULTILINE);

    private PlanNotes() {
    }

    /** The plan file's text: {@code notes} as comment lines (one line each), then the plan. */
    static String render(MigrationPlan plan, List<String> notes) {
        StringBuilder text = new StringBuilder();
        notes.forEach(note -> text.append(PREFIX).append(note.replaceAll("[\\r\\n]+", " ")).append('\n'));
        text.append("revision: ").append(plan.revision()).append('\n');
        text.append("admit: ").append(plan.admitAll() ? "all" : list(plan.admit())).append('\n');
        text.append("withdraw: ").append(list(plan.withdraw())).append('\n');
        return text.toString();
    }

    private static String list(Iterable<String> hosts) {
        List<String> names = new ArrayList<>();
        hosts.forEach(names::add);
        return "[" + String.join(", ", names) + "]";
    }

    /** The revision the autopilot noted it wrote in {@code text}, if it wrote it. */
    static Optional<Long> writtenRevision(String text) {
        Matcher wrote = WROTE.matcher(text);
        return wrote.find() ? Optional.of(Long.parseLong(wrote.group(1))) : Optional.empty();
    }

    /** Why the autopilot paused, as noted in {@code text}; empty when it did not. */
    static Optional<String> pausedBecause(String text) {
        Matcher paused = PAUSED.matcher(text);
        return paused.find() ? Optional.of(paused.group(1)) : Optional.empty();
    }
}
