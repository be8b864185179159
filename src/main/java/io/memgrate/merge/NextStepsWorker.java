package io.memgrate.merge;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.jboss.logging.Logger;

import io.memgrate.cluster.Topology;
import io.memgrate.plan.MigrationPlan;

/**
 * Works out the next steps whenever their inputs change, on an executor of its own (one thread: never the event loop,
 * a request or the view's lock), one computation at a time. A change while one runs makes exactly one more afterwards,
 * for the latest inputs: those in between are skipped. Readers only ever get the last result.
 */
final class NextStepsWorker {

    private static final Logger LOG = Logger.getLogger(NextStepsWorker.class);

    /** What the next steps depend on. */
    record Inputs(Topology served, MigrationPlan plan, Topology primary, Topology secondary) {
    }

    private record Result(Inputs inputs, List<NextStep> steps) {
    }

    private final Executor executor;
    private final long versionOffset;
    /** The latest inputs not taken up by a computation yet; null when none wait. */
    private final AtomicReference<Inputs> waiting = new AtomicReference<>();
    /** The latest inputs offered; null while nothing is served. Written under the view's lock. */
    private volatile Inputs latest;
    private volatile Result last;
    private final AtomicLong computations = new AtomicLong();
    private volatile long lastNanos;

    NextStepsWorker(Executor executor, long versionOffset) {
        this.executor = executor;
        this.versionOffset = versionOffset;
    }

    /**
     * Hands over the inputs now, cheaply: a computation starts when they differ from the ones offered before, unless
     * one already waits to start, which then takes them instead. Called by the view, under its lock, after a change.
     */
    void offer(Inputs inputs) {
        if (inputs == null || inputs.equals(latest)) {
            return;
        }
        latest = inputs;
        if (waiting.getAndSet(inputs) == null) {
            executor.execute(this::computeWaiting);
        }
    }

    private void computeWaiting() {
        Inputs inputs = waiting.getAndSet(null);
        if (inputs == null) {
            return;
        }
        long start = System.nanoTime();
        try {
            List<NextStep> steps = NextSteps.from(inputs.served(), inputs.primary(), inputs.secondary(), inputs.plan(),
                    versionOffset);
            last = new Result(inputs, steps);
            LOG.debugf("Worked out %d next steps from served version %d in %d ms", steps.size(),
                    inputs.served().version(), (System.nanoTime() - start) / 1_000_000);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Could not work out the next steps from served version %d", inputs.served().version());
        } finally {
            lastNanos = System.nanoTime() - start;
            computations.incrementAndGet();
        }
    }

    /** The next steps worked out last, and what for; never works them out itself. */
    NextStepsReport report() {
        Result result = last;
        Inputs now = latest;
        if (result == null) {
            return new NextStepsReport(List.of(), null, null, now == null);
        }
        Inputs inputs = result.inputs();
        return new NextStepsReport(result.steps(), inputs.served().version(),
                inputs.plan() == null ? null : inputs.plan().revision(), inputs == now);
    }

    /** Computations ended so far. */
    long computations() {
        return computations.get();
    }

    /** How long the last computation took, in seconds; 0 before the first. */
    double lastSeconds() {
        return lastNanos / 1e9;
    }
}
