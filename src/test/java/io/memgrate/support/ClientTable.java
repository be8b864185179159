package io.memgrate.support;

import java.util.Locale;

import org.jboss.logging.Logger;

/**
 * One row of docs/clients.md's client table, measured: the real-client tests log it so a run's figures can be read back
 * ({@code grep 'Client table'} in the test output).
 */
public final class ClientTable {

    private static final Logger LOG = Logger.getLogger(ClientTable.class);

    private ClientTable() {
    }

    public static void row(String client, String setting, String discovers, String followsRemoval,
            String followsAddition) {
        LOG.infof("Client table | %s | %s | %s | %s | %s |", client, setting, discovers, followsRemoval, followsAddition);
    }

    /** The time since {@code startNanos} (a {@link System#nanoTime()}) in seconds with one decimal, as in the table. */
    public static String secondsSince(long startNanos) {
        return String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - startNanos) / 1e9);
    }
}
