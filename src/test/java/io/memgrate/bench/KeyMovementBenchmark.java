package io.memgrate.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.memgrate.cluster.Topology;
import io.memgrate.merge.NextStep;
import io.memgrate.merge.NextSteps;
import io.memgrate.merge.TopologyMerger;
import io.memgrate.movement.HashScheme;
import io.memgrate.movement.ReferenceKeyMovement;
import io.memgrate.plan.MigrationPlan;

/**
 * Times working out every next step of a migration's start (a plan admitting nothing: the old cluster served, each new
 * host to admit and each old one to withdraw a step), with ElastiCache-like nodes, for {@link NextSteps} and for the
 * rings it replaced ({@link ReferenceKeyMovement}, on the same steps), and the largest difference in their figures.
 * Each is run a few times first for the JIT; the median of the runs after is reported, and the first run (a cold JVM,
 * as after a change in a service that rarely works them out).
 *
 * <pre>bench/movement.sh [--sizes=20,60,200] [--runs=5] [--warmup-runs=3]</pre>
 */
public final class KeyMovementBenchmark {

    private static final long VERSION_OFFSET = 0;

    private KeyMovementBenchmark() {
    }

    public static void main(String[] args) {
        Map<String, String> options = new HashMap<>(Map.of("sizes", "20,60,200", "runs", "5", "warmup-runs", "3"));
        for (String arg : args) {
            String[] option = arg.replaceFirst("^--", "").split("=", 2);
            if (!arg.startsWith("--") || option.length != 2 || !options.containsKey(option[0])) {
                throw new IllegalArgumentException("options are " + options.keySet() + " as --name=value, got " + arg);
            }
            options.put(option[0], option[1]);
        }
        int runs = Integer.parseInt(options.get("runs"));
        int warmups = Integer.parseInt(options.get("warmup-runs"));
        System.out.printf(Locale.ROOT, "JVM %s, max heap %d MiB, %d CPUs; median of %d runs after %d warm-up runs%n%n",
                System.getProperty("java.vm.version"), Runtime.getRuntime().maxMemory() >> 20,
                Runtime.getRuntime().availableProcessors(), runs, warmups);
        System.out.println("| nodes | next steps | new: first run | new: median | reference: first run | reference: median"
                + " | speed-up | largest difference |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (String size : options.get("sizes").split(",")) {
            int nodes = Integer.parseInt(size.trim());
            Topology primary = DiscoveryBenchmark.cluster("old", 1, 12, nodes);
            Topology secondary = DiscoveryBenchmark.cluster("new", 2, 3, nodes);
            MigrationPlan plan = new MigrationPlan(1, false, Set.of(), Set.of());
            Topology served = TopologyMerger.merge(primary, secondary, plan, VERSION_OFFSET);
            List<NextStep> steps = NextSteps.from(served, primary, secondary, plan, VERSION_OFFSET);
            long[] fast = time(runs, warmups, () -> NextSteps.from(served, primary, secondary, plan, VERSION_OFFSET));
            long[] reference = time(runs, warmups, () -> reference(steps, served, primary, secondary, plan));
            double difference = largestDifference(steps, reference(steps, served, primary, secondary, plan));
            System.out.printf(Locale.ROOT, "| %d + %d | %d | %s | %s | %s | %s | %.0fx | %.2g pp |%n", nodes, nodes, steps.size(),
                    millis(fast[0]), millis(fast[1]), millis(reference[0]), millis(reference[1]),
                    (double) reference[1] / fast[1], difference * 100);
        }
    }

    /** Each step's figures as the replaced code worked them out: a merge and two fresh rings per step and scheme. */
    private static List<double[]> reference(List<NextStep> steps, Topology served, Topology primary, Topology secondary,
            MigrationPlan plan) {
        List<double[]> figures = new ArrayList<>();
        for (NextStep step : steps) {
            MigrationPlan candidate = step.action().equals("admit") ? plan.admitting(step.host()) : plan.withdrawing(step.host());
            Topology after = TopologyMerger.merge(primary, secondary, candidate, VERSION_OFFSET);
            figures.add(Arrays.stream(HashScheme.values())
                    .mapToDouble(scheme -> ReferenceKeyMovement.fraction(scheme, served.nodes(), after.nodes())).toArray());
        }
        return figures;
    }

    private static double largestDifference(List<NextStep> steps, List<double[]> reference) {
        double largest = 0;
        for (int i = 0; i < steps.size(); i++) {
            for (HashScheme scheme : HashScheme.values()) {
                double fast = steps.get(i).keysMoved().fractions().get(scheme);
                largest = Math.max(largest, Math.abs(fast - reference.get(i)[scheme.ordinal()]));
            }
        }
        return largest;
    }

    /** The first run's nanoseconds, then the median of {@code runs} after {@code warmups} more. */
    private static long[] time(int runs, int warmups, Runnable work) {
        long first = nanos(work);
        for (int i = 0; i < warmups; i++) {
            work.run();
        }
        long[] measured = new long[runs];
        for (int i = 0; i < runs; i++) {
            measured[i] = nanos(work);
        }
        Arrays.sort(measured);
        return new long[] {first, measured[runs / 2]};
    }

    private static long nanos(Runnable work) {
        long start = System.nanoTime();
        work.run();
        return System.nanoTime() - start;
    }

    private static String millis(long nanos) {
        double millis = nanos / 1e6;
        return String.format(Locale.ROOT, millis < 10 ? "%.1f ms" : "%,.0f ms", millis);
    }
}
