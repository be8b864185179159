package io.memgrate.autopilot;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.cluster.Node;
import io.memgrate.cluster.Side;
import io.memgrate.cluster.Topology;
import io.memgrate.merge.NextStep;
import io.memgrate.nodestats.NodesReport;
import io.memgrate.plan.MigrationPlan;
import io.memgrate.settings.Durations;
import io.memgrate.status.AutopilotReport;
import io.memgrate.status.AutopilotReport.State;
import io.memgrate.status.StatusSnapshot;

/**
 * The autopilot's decisions: a pure function of one status snapshot (which carries the instant it was taken), what it
 * remembers, and its rules. It returns what to remember next, what to report, the plan to write if any, and the lines
 * to log. Writing the plan is left to the caller, and Memgrate applies it only through the plan file, as any plan.
 */
final class AutopilotDecision {

    static final String ADMIT = "admit";
    static final String TAKEN = "taken";
    static final String ROLLED_BACK = "rolled-back";

    /**
     * A plan to write into the plan file, with its notes.
     *
     * @param action  the step's action ({@code admit}, {@code withdraw}), for the steps metric
     * @param outcome {@link #TAKEN} or {@link #ROLLED_BACK}
     */
    record PlanWrite(MigrationPlan plan, List<String> notes, String action, String outcome) {
    }

    /**
     * A step or a pause, told to those who watch the plan (on Kubernetes, an Event on the plan's ConfigMap).
     *
     * @param reason  what happened, in Kubernetes' Event reason form ({@code AutopilotAdmitted}, ...)
     * @param warning true for a pause or a rollback
     */
    record Notice(String reason, boolean warning, String message) {
    }

    /**
     * @param write  null when nothing is written now
     * @param notice null when nothing is told now; with a write, it is told once the write succeeded
     */
    record Decision(AutopilotMemory memory, AutopilotReport report, PlanWrite write, Notice notice, List<String> log) {
    }

    private AutopilotDecision() {
    }

    static Decision decide(StatusSnapshot now, AutopilotMemory memory, AutopilotRules rules) {
        MigrationPlan plan = now.plan();
        if (plan == null || now.served() == null) {
            return new Decision(memory, report(State.WAITING, List.of(plan == null ? "no plan applied yet"
                    : "nothing served yet: an upstream has not answered"), memory, null, null), null, null, List.of());
        }
        Instant at = now.at();
        List<String> log = new ArrayList<>();
        MigrationPlan written = memory.written();
        String pausedBecause = memory.pausedBecause();
        long pausedAt = memory.pausedAt();
        long revisionSeen = memory.revisionSeen();
        Instant revisionSeenAt = memory.revisionSeenAt();
        AutopilotMemory.Watch watch = memory.watch();
        List<AutopilotReport.Step> history = new ArrayList<>(memory.history());

        if (plan.revision() != revisionSeen) {
            boolean first = revisionSeen < 0;
            revisionSeen = plan.revision();
            revisionSeenAt = at;
            if (plan.equals(written)) {
                if (watch != null && plan.equals(watch.after())) {
                    // the served list changed when the plan was applied, at most one tick ago
                    Instant applied = now.servedListChangedAt() != null && now.servedListChangedAt().isBefore(at)
                            ? now.servedListChangedAt() : at;
                    watch = new AutopilotMemory.Watch(watch.action(), watch.host(), watch.before(), watch.after(),
                            watch.predictedShare(), watch.hitRatioBefore(), applied, watch.historyIndex());
                }
            } else if (!first && (written == null || plan.revision() > written.revision())) {
                watch = null;
                if (pausedBecause != null && plan.revision() > pausedAt) {
                    pausedBecause = null;
                    log.add("Autopilot: resuming from plan revision " + plan.revision() + ", written by a person");
                } else {
                    log.add("Autopilot: following plan revision " + plan.revision() + ", written by a person, as it is");
                }
            }
        }
        long nextRevision = Math.max(plan.revision(), written == null ? -1 : written.revision()) + 1;

        Notice notice = null;
        if (pausedBecause == null && now.planRefusal() != null) {
            pausedBecause = "a plan was refused since the last step (" + now.planRefusal().message() + ")";
            notice = new Notice("AutopilotPaused", true, "paused at plan revision " + plan.revision() + ": " + pausedBecause);
            pausedAt = plan.revision();
            watch = null;
            log.add("Autopilot: paused at plan revision " + plan.revision() + ": " + pausedBecause
                    + ". Write a plan with a revision above " + pausedAt + " to resume.");
        }

        Map<HostAndPort, Instant> unreachableSince = new HashMap<>();
        Stream.concat(now.nodes().primary().stream(), now.nodes().secondary().stream())
                .filter(node -> node.admission() == NodesReport.Admission.SERVED
                        && Boolean.FALSE.equals(node.reading().reachable()))
                .forEach(node -> unreachableSince.put(node.node(), memory.unreachableSince().getOrDefault(node.node(), at)));

        NodesReport.StepVerdict verdict = now.nodes().nextStep();
        Instant safeSince = verdict.safe() ? (memory.safeSince() == null ? at : memory.safeSince()) : null;
        // the dwell starts again at every change of the served list or of the plan in force (a person's resume too)
        Instant dwellFrom = latest(safeSince, now.servedListChangedAt(), memory.lastStepAt(), revisionSeenAt);
        Duration dwelt = safeSince == null ? Duration.ZERO : Duration.between(dwellFrom, at);
        boolean dwellDone = safeSince != null && dwelt.compareTo(rules.minDwell()) >= 0;

        if (pausedBecause == null && watch != null && watch.appliedAt() != null) {
            AutopilotReport.Step entry = history.get(watch.historyIndex());
            Double served = verdict.servedHitRatio();
            if (served != null) {
                Double lowest = entry.lowestHitRatioAfter() == null ? served : Math.min(entry.lowestHitRatioAfter(), served);
                entry = new AutopilotReport.Step(entry.at(), entry.action(), entry.host(), entry.revision(),
                        entry.predictedShare(), entry.hitRatioBefore(), lowest, null);
                history.set(watch.historyIndex(), entry);
            }
            String hurt = hurt(now, watch, unreachableSince, rules);
            if (hurt != null) {
                MigrationPlan back = new MigrationPlan(nextRevision, watch.before().admitAll(), watch.before().admit(),
                        watch.before().withdraw());
                history.set(watch.historyIndex(), new AutopilotReport.Step(entry.at(), entry.action(), entry.host(),
                        entry.revision(), entry.predictedShare(), entry.hitRatioBefore(), entry.lowestHitRatioAfter(), hurt));
                String pause = "rolled back " + watch.action() + " " + watch.host() + ": " + hurt;
                log.add("Autopilot: rolled back " + watch.action() + " " + watch.host() + " by writing plan revision "
                        + nextRevision + " (the plan before it) and paused, because " + hurt
                        + ". Write a plan with a revision above " + nextRevision + " to resume.");
                AutopilotMemory next = new AutopilotMemory(back, pause, nextRevision, revisionSeen, revisionSeenAt, null,
                        at, null, unreachableSince, history);
                PlanWrite write = new PlanWrite(back, List.of("revision " + nextRevision + ": rolled back "
                        + watch.action() + " " + watch.host() + " (the plan before it)", "paused: " + pause),
                        watch.action(), ROLLED_BACK);
                Notice rolledBack = new Notice("AutopilotRolledBack", true, "rolled back " + watch.action() + " "
                        + watch.host() + " (plan revision " + nextRevision + ") and paused: " + hurt);
                return new Decision(next, report(State.PAUSED, List.of(), next, null, now), write, rolledBack, log);
            }
            if (dwellDone) {
                watch = null;
            }
        }

        AutopilotMemory next = new AutopilotMemory(written, pausedBecause, pausedAt, revisionSeen, revisionSeenAt,
                safeSince, memory.lastStepAt(), watch, unreachableSince, history);
        Optional<NextStep> step = now.gentlestNextStep();
        AutopilotReport.PlannedStep planned = step.map(s -> new AutopilotReport.PlannedStep(s.action(), s.host(),
                share(s, rules))).orElse(null);
        if (pausedBecause != null) {
            return new Decision(next, report(State.PAUSED, List.of(), next, planned, now), null, notice, log);
        }
        if (written != null && written.revision() > plan.revision()) {
            return new Decision(next, report(State.WAITING, List.of("plan revision " + written.revision()
                    + " is written; Memgrate applies it at its next check of the plan file"), next, planned, now), null,
                    notice, log);
        }
        if (now.served(Side.PRIMARY).isEmpty() && now.pending().isEmpty() && watch == null) {
            return new Decision(next, report(State.COMPLETE, List.of(), next, null, now), null, notice, log);
        }

        List<String> waitingFor = new ArrayList<>();
        if (now.planReadHangingSince() != null) {
            waitingFor.add("a read of the plan file has hung since " + now.planReadHangingSince());
        }
        if (!now.nextSteps().current()) {
            waitingFor.add("the next steps are being worked out for what is served now");
        } else if (step.isEmpty() && watch == null) {
            waitingFor.add("no step is possible from the served list");
        }
        if (rules.window() != null && !rules.window().contains(at)) {
            waitingFor.add("outside window " + rules.window() + " (UTC)");
        }
        if (verdict.safe() && verdict.servedHitRatio() == null) {
            waitingFor.add("the served nodes had no gets in the last interval: a step's effect on the hit ratio could not"
                    + " be measured");
        }
        if (!verdict.safe()) {
            verdict.reasons().forEach(reason -> waitingFor.add("verdict: " + reason));
            if (verdict.reasons().isEmpty()) {
                waitingFor.add("verdict: the next step does not look safe");
            }
        } else if (!dwellDone) {
            waitingFor.add("dwell " + Durations.format(dwelt) + " of " + Durations.format(rules.minDwell()));
        }
        if (!waitingFor.isEmpty() || step.isEmpty()) {
            return new Decision(next, report(State.WAITING, waitingFor, next, planned, now), null, notice, log);
        }

        NextStep taking = step.get();
        double share = share(taking, rules);
        MigrationPlan grown = taking.action().equals(ADMIT) ? plan.admitting(taking.host())
                : plan.withdrawing(taking.host());
        MigrationPlan after = new MigrationPlan(nextRevision, grown.admitAll(), grown.admit(), grown.withdraw());
        int total = hosts(now.lastGood(Side.PRIMARY)) + hosts(now.lastGood(Side.SECONDARY));
        int done = total - remaining(now, after);
        String verb = taking.action().equals(ADMIT) ? "admitted" : "withdrew";
        String hitRatio = verdict.servedHitRatio() == null ? "unknown" : ratio(verdict.servedHitRatio());
        String summary = "step " + done + " of " + total + ": " + verb + " " + taking.host() + ", " + percent(share)
                + " of keys moved (" + rules.scheme().label() + "), served hit ratio before " + hitRatio;
        history.add(new AutopilotReport.Step(at, taking.action(), taking.host(), nextRevision, share,
                verdict.servedHitRatio(), null, null));
        AutopilotMemory.Watch watching = new AutopilotMemory.Watch(taking.action(), taking.host(), plan, after, share,
                verdict.servedHitRatio(), null, history.size() - 1);
        log.add("Autopilot: " + summary + "; wrote plan revision " + nextRevision + " after the verdict said safe for "
                + Durations.format(dwelt));
        AutopilotMemory stepped = new AutopilotMemory(after, null, pausedAt, revisionSeen, revisionSeenAt, null, at,
                watching, unreachableSince, history);
        return new Decision(stepped, report(State.WAITING, List.of("plan revision " + nextRevision
                + " is written; Memgrate applies it at its next check of the plan file"), stepped, planned, now),
                new PlanWrite(after, List.of("revision " + nextRevision + ", " + summary), taking.action(), TAKEN),
                new Notice(taking.action().equals(ADMIT) ? "AutopilotAdmitted" : "AutopilotWithdrew", false, verb + " "
                        + taking.host() + " (" + rules.scheme().label() + ": " + percent(share) + " of keys moved)"),
                log);
    }

    /** Why the step watched hurts, or null when it does not (yet). */
    private static String hurt(StatusSnapshot now, AutopilotMemory.Watch watch, Map<HostAndPort, Instant> unreachableSince,
            AutopilotRules rules) {
        NodesReport.StepVerdict verdict = now.nodes().nextStep();
        Double before = watch.hitRatioBefore();
        Double served = verdict.servedHitRatio();
        if (before != null && served != null) {
            double allowed = watch.predictedShare() * before + rules.warmMargin();
            if (served < before - allowed) {
                return "the served hit ratio " + ratio(served) + " fell more than " + ratio(allowed) + " (predicted "
                        + percent(watch.predictedShare()) + " of " + ratio(before) + ", plus the warm margin) below "
                        + ratio(before) + " before the step";
            }
        }
        Duration since = Duration.between(watch.appliedAt(), now.at());
        if (watch.action().equals(ADMIT) && since.compareTo(rules.maxWarmup()) > 0) {
            for (NodesReport.NodeReport node : now.nodes().secondary()) {
                if (node.node().equals(hostAndPort(now, watch.host())) && !Boolean.TRUE.equals(node.warm())) {
                    return watch.host() + " is not warm " + Durations.format(rules.maxWarmup())
                            + " after it was admitted (" + node.notWarmBecause() + ")";
                }
            }
        }
        for (Map.Entry<HostAndPort, Instant> unreachable : unreachableSince.entrySet()) {
            Duration down = Duration.between(unreachable.getValue(), now.at());
            if (down.compareTo(rules.unreachableFor()) > 0) {
                return "served node " + unreachable.getKey() + " has been unreachable for " + Durations.format(down)
                        + ", more than " + AutopilotRules.UNREACHABLE_INTERVALS + " stats intervals";
            }
        }
        return null;
    }

    /** Where the secondary's node named {@code host} in plans is read, as its node report names it. */
    private static HostAndPort hostAndPort(StatusSnapshot now, String host) {
        Topology secondary = now.lastGood(Side.SECONDARY);
        return secondary == null ? null : secondary.nodes().stream().filter(node -> node.host().equals(host))
                .map(Node::hostAndPort).findFirst().orElse(null);
    }

    private static AutopilotReport report(State state, List<String> waitingFor, AutopilotMemory memory,
            AutopilotReport.PlannedStep nextStep, StatusSnapshot now) {
        String whatNext = switch (state) {
            case PAUSED -> "write the plan with a revision above " + memory.pausedAt()
                    + " to resume: it goes on from that plan";
            case COMPLETE -> "point the clients at the new cluster's configuration endpoint" + endpoint(now)
                    + ": it lists the nodes served now, in the same order, so no key moves; then retire the old cluster"
                    + " and Memgrate";
            default -> null;
        };
        return new AutopilotReport(state, List.copyOf(waitingFor), memory.pausedBecause(), nextStep, whatNext,
                memory.history(), Map.of());
    }

    private static String endpoint(StatusSnapshot now) {
        return now.upstreams().stream().filter(upstream -> upstream.side() == Side.SECONDARY)
                .findFirst().map(upstream -> " (" + upstream.endpoint() + ")").orElse("");
    }

    /** Steps left after {@code plan}: the secondary's hosts it does not admit and the primary's it does not withdraw. */
    private static int remaining(StatusSnapshot now, MigrationPlan plan) {
        int left = 0;
        Topology primary = now.lastGood(Side.PRIMARY);
        Topology secondary = now.lastGood(Side.SECONDARY);
        if (secondary != null && !plan.admitAll()) {
            left += (int) secondary.nodes().stream().map(Node::host).distinct().filter(h -> !plan.admit().contains(h)).count();
        }
        if (primary != null) {
            left += (int) primary.nodes().stream().map(Node::host).distinct().filter(h -> !plan.withdraw().contains(h)).count();
        }
        return left;
    }

    private static int hosts(Topology topology) {
        return topology == null ? 0 : (int) topology.nodes().stream().map(Node::host).distinct().count();
    }

    private static double share(NextStep step, AutopilotRules rules) {
        return step.keysMoved().fractions().get(rules.scheme());
    }

    private static Instant latest(Instant... instants) {
        Instant latest = Instant.MIN;
        for (Instant instant : instants) {
            if (instant != null && instant.isAfter(latest)) {
                latest = instant;
            }
        }
        return latest;
    }

    private static String ratio(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f%%", share * 100);
    }
}
