package io.memgrate.client;

/**
 * Whether Memgrate's endpoint is answering, as an adapter sees it, so that it logs an outage when it begins and when
 * it ends instead of on every poll. Safe to call from any thread.
 */
public final class EndpointOutage {

    private long failuresSinceLastAnswer;
    private long downSinceMillis;

    /**
     * A poll or the connection failed.
     *
     * @return true when this failure begins an outage: the one to log
     */
    public synchronized boolean failed() {
        if (failuresSinceLastAnswer++ == 0) {
            downSinceMillis = System.currentTimeMillis();
            return true;
        }
        return false;
    }

    /**
     * The endpoint answered.
     *
     * @return how long the outage this ends lasted, in milliseconds, or -1 when there was none
     */
    public synchronized long answered() {
        if (failuresSinceLastAnswer == 0) {
            return -1;
        }
        failuresSinceLastAnswer = 0;
        return System.currentTimeMillis() - downSinceMillis;
    }

    /**
     * @return the failures since the endpoint last answered: 0 while it answers
     */
    public synchronized long failuresSinceLastAnswer() {
        return failuresSinceLastAnswer;
    }
}
