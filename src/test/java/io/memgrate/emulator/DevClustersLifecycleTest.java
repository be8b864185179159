package io.memgrate.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.memgrate.settings.MemgrateSettings;
import io.memgrate.settings.MemgrateSettings.Dev.Store;
import io.memgrate.support.FreePorts;
import io.memgrate.support.TextClient;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.Vertx;

/** Starting and stopping the dev clusters outside Quarkus: stores, busy ports, no process left behind. */
class DevClustersLifecycleTest {

    record Settings(boolean enabled, String oldNodes, String newNodes, String engineVersion, Store store,
            int nodeMemoryMb) implements MemgrateSettings.Dev {
        @Override
        public Traffic traffic() {
            throw new UnsupportedOperationException("the dev clusters do not read the traffic's settings");
        }
    }

    private final Vertx vertx = Vertx.vertx();
    private final int[] ports = { FreePorts.next(), FreePorts.next(), FreePorts.next(), FreePorts.next() };
    private DevClusters devClusters;

    private DevClusters devClusters(Store store) {
        devClusters = new DevClusters(vertx, new Settings(true,
                "old-1.test|127.0.0.1|" + ports[0] + " old-2.test|127.0.0.1|" + ports[1],
                "new-1.test|127.0.0.1|" + ports[2] + " new-2.test|127.0.0.1|" + ports[3], "1.6.22", store, 8));
        return devClusters;
    }

    @AfterEach
    void stop() throws Exception {
        if (devClusters != null) {
            devClusters.stop();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void withoutMemcachedEveryNodeStoresKeysInProcess() {
        devClusters(Store.IN_PROCESS).start();
        for (int port : ports) {
            try (TextClient client = new TextClient(port)) {
                assertThat(client.exchange("set k 0 0 2\r\nhi\r\n", "STORED\r\n")).isEqualTo("STORED\r\n");
                assertThat(client.exchange("get k\r\n", "VALUE k 0 2\r\nhi\r\nEND\r\n")).isEqualTo("VALUE k 0 2\r\nhi\r\nEND\r\n");
            }
        }
        assertThat(memcachedProcesses()).isZero();
    }

    @Test
    void aBusyNodePortStopsStartUpWithTheNameOfThePropertyToChange() throws Exception {
        try (ServerSocket busy = new ServerSocket(ports[1], 1, InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> devClusters(Store.IN_PROCESS).start())
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessage("dev node old-2.test cannot listen on 127.0.0.1:" + ports[1]
                            + " (Address already in use): free the port or give the node another one in"
                            + " memgrate.dev-clusters.old-nodes");
        }
        // what did start was stopped: its port is free again
        new ServerSocket(ports[0], 1, InetAddress.getByName("127.0.0.1")).close();
    }

    @Test
    void stoppingEndsEveryMemcachedProcessAndFreesEveryPortForARestart() {
        devClusters(Store.MEMCACHED).start();
        assertThat(memcachedProcesses()).isEqualTo(ports.length);
        try (TextClient client = new TextClient(ports[0])) {
            assertThat(client.exchange("set k 0 0 2\r\nhi\r\n", "STORED\r\n")).isEqualTo("STORED\r\n");
        }
        devClusters.stop();
        await().atMost(Duration.ofSeconds(10)).until(() -> memcachedProcesses() == 0);
        // a dev-mode restart listens on the same ports again, with empty stores
        devClusters.start();
        try (TextClient client = new TextClient(ports[0])) {
            assertThat(client.exchange("get k\r\n", "END\r\n")).isEqualTo("END\r\n");
        }
    }

    /** memcached processes this test started: their -m 8 sets them apart from other tests' memcached nodes. */
    private static long memcachedProcesses() {
        return ProcessHandle.current().descendants()
                .filter(process -> process.info().command().orElse("").endsWith("/memcached"))
                .filter(process -> process.info().commandLine().orElse("").contains(" -m 8 "))
                .count();
    }
}
