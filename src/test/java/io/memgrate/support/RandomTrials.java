package io.memgrate.support;

import java.util.Random;
import java.util.SplittableRandom;

/**
 * Runs a property on many random inputs, each try from a seed of its own that a failure names, so a failing input is
 * reproduced by one command. {@code -Dtrials.tries=N} runs longer; {@code -Dtrials.seed=S} replays try seed S alone.
 */
public final class RandomTrials {

    /** The tries per property in every build. */
    public static final int DEFAULT_TRIES = 1_000;

    /** One try of a property: assertions on an input drawn from {@code random}. */
    @FunctionalInterface
    public interface Trial {
        void run(Random random) throws Exception;
    }

    private RandomTrials() {
    }

    /** Runs {@code trial} {@code -Dtrials.tries} times (1,000 unless set), or once with {@code -Dtrials.seed}. */
    public static void check(String property, Trial trial) {
        String replay = System.getProperty("trials.seed");
        if (replay != null) {
            attempt(property, trial, Long.parseLong(replay), 0);
            return;
        }
        int tries = Integer.getInteger("trials.tries", DEFAULT_TRIES);
        SplittableRandom seeds = new SplittableRandom();
        for (int attempt = 0; attempt < tries; attempt++) {
            attempt(property, trial, seeds.nextLong(), attempt);
        }
    }

    private static void attempt(String property, Trial trial, long seed, int attempt) {
        try {
            trial.run(new Random(seed));
        } catch (Throwable failure) {
            throw new AssertionError(String.format("%s failed on try %d with seed %d; replay it alone with"
                    + " -Dtest='%s' -Dtrials.seed=%d", property, attempt + 1, seed, caller(), seed), failure);
        }
    }

    /** The test class and method that called {@link #check}, for the replay command. */
    private static String caller() {
        StackTraceElement[] stack = new Throwable().getStackTrace();
        for (StackTraceElement frame : stack) {
            if (!frame.getClassName().equals(RandomTrials.class.getName())) {
                String simple = frame.getClassName().substring(frame.getClassName().lastIndexOf('.') + 1);
                return simple + "#" + frame.getMethodName();
            }
        }
        return "?";
    }
}
