package io.memgrate.support;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.awaitility.Awaitility;

import io.memgrate.client.aws.MemgrateEndpointStrategyFactory;
import net.spy.memcached.MemcachedClient;
import net.spy.memcached.internal.OperationFuture;

/**
 * Clients at work: a real AWS Java cluster client on consistent hashing (KETAMA_HASH), following Memgrate's served list,
 * reads a key space over and over in batches and stores each key it misses, as a read-through cache does. So the
 * nodes' hit ratios are real: a step's moved keys miss once, then hit.
 */
public final class KeySpaceTraffic implements AutoCloseable {

    private static final int BATCH = 100;

    private final MemcachedClient client;
    private final int keys;
    private final Thread thread;
    private volatile boolean running = true;

    private KeySpaceTraffic(MemcachedClient client, int keys) {
        this.client = client;
        this.keys = keys;
        this.thread = new Thread(this::run, "key-space-traffic");
        thread.setDaemon(true);
    }

    /**
     * Stores {@code keys} keys, then starts reading them through a client of Memgrate on {@code memgratePort}, polling
     * it every 200 ms; so the served nodes hit from the first read.
     */
    public static KeySpaceTraffic start(int memgratePort, int keys) throws IOException, InterruptedException {
        KeySpaceTraffic traffic = new KeySpaceTraffic(AwsClusterClients.dynamic(memgratePort, 200,
                new MemgrateEndpointStrategyFactory(), true), keys);
        // the client discovers its nodes from Memgrate after it starts
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !AwsClusterClients.ports(traffic.client).isEmpty());
        List<OperationFuture<Boolean>> stored = new ArrayList<>();
        for (int i = 0; i < keys; i++) {
            stored.add(traffic.client.set("key-" + i, 0, "v"));
        }
        for (OperationFuture<Boolean> future : stored) {
            try {
                future.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("storing the key space failed", e);
            }
        }
        traffic.thread.start();
        return traffic;
    }

    private void run() {
        while (running) {
            for (int first = 0; first < keys && running; first += BATCH) {
                List<String> batch = new ArrayList<>();
                for (int i = first; i < Math.min(keys, first + BATCH); i++) {
                    batch.add("key-" + i);
                }
                try {
                    Map<String, Object> found = client.getBulk(batch);
                    batch.stream().filter(key -> !found.containsKey(key)).forEach(key -> client.set(key, 0, "v"));
                } catch (RuntimeException e) {
                    // a node changing under the client: it misses, as real clients do, and goes on
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(TimeUnit.SECONDS.toMillis(10));
        client.shutdown(5, TimeUnit.SECONDS);
    }
}
