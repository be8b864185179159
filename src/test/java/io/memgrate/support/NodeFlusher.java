package io.memgrate.support;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Empties memcached nodes every 200 ms, as a node far too small for its share of keys would evict them: its hit ratio
 * stays low, so it never turns warm. Stopping it lets the nodes warm.
 */
public final class NodeFlusher implements AutoCloseable {

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();

    private NodeFlusher() {
    }

    public static NodeFlusher start(List<MemcachedProcess> nodes) {
        NodeFlusher flusher = new NodeFlusher();
        flusher.thread.scheduleWithFixedDelay(() -> nodes.forEach(NodeFlusher::flush), 0, 200, TimeUnit.MILLISECONDS);
        return flusher;
    }

    private static void flush(MemcachedProcess node) {
        try {
            node.command("flush_all\r\n");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops flushing; once it returns, no flush is under way. */
    @Override
    public void close() throws InterruptedException {
        thread.shutdownNow();
        if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("a flush did not end within 10 s");
        }
    }
}
