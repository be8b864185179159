package io.memgrate.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.cluster.Node;
import io.memgrate.cluster.Topology;
import io.memgrate.support.MemcachedProcess;
import io.memgrate.support.TextClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/** A dev node's front: its own cluster's configuration from itself, every other byte to and from its store. */
class NodeFrontTest {

    /** The stores a front relays to: a real memcached, and the in-process one dev mode uses without it. */
    enum Store {
        MEMCACHED, IN_PROCESS
    }

    private static final Topology CLUSTER = new Topology(3,
            List.of(new Node("a.test", "127.0.0.1", 1111), new Node("b.test", "", 2222)));
    private static final String CONFIG_REPLY = "CONFIG cluster 0 37\r\n3\na.test|127.0.0.1|1111 b.test||2222\n\r\nEND\r\n";

    /** Native transport where it loads, as Memgrate runs (application.properties): it reads sooner than NIO. */
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    private final AtomicReference<Topology> clusterConfig = new AtomicReference<>(CLUSTER);
    private MemcachedProcess memcached;
    private int storePort;
    private int frontPort;

    private void start(Store store) {
        if (store == Store.MEMCACHED) {
            memcached = MemcachedProcess.start();
            storePort = memcached.port();
        } else {
            storePort = await(new InProcessMemcached(vertx, "1.6.22", 64L * 1024 * 1024).start("127.0.0.1", 0));
        }
        NodeFront front = new NodeFront(vertx, clusterConfig::get, new HostAndPort("127.0.0.1", storePort));
        frontPort = await(front.start("127.0.0.1", 0));
    }

    @AfterEach
    void stop() {
        await(vertx.close());
        if (memcached != null) {
            memcached.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void answersItsOwnClustersConfigurationInBothForms(Store store) {
        start(store);
        String legacy = "VALUE AmazonElastiCache:cluster 0 37\r\n3\na.test|127.0.0.1|1111 b.test||2222\n\r\nEND\r\n";
        try (TextClient client = new TextClient(frontPort)) {
            assertThat(client.exchange("config get cluster\r\n", CONFIG_REPLY)).isEqualTo(CONFIG_REPLY);
            assertThat(client.exchange("get AmazonElastiCache:cluster\r\n", legacy)).isEqualTo(legacy);
            clusterConfig.set(new Topology(4, List.of(new Node("a.test", "127.0.0.1", 1111))));
            String drained = "CONFIG cluster 0 24\r\n4\na.test|127.0.0.1|1111\n\r\nEND\r\n";
            assertThat(client.exchange("config get cluster\r\n", drained)).isEqualTo(drained);
        }
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void storesAValueHoldingCommandTextInTheStoreAsData(Store store) {
        start(store);
        String value = "a\r\nconfig get cluster\r\nversion\r\n";
        String stored = "VALUE k 7 " + value.length() + "\r\n" + value + "\r\nEND\r\n";
        try (TextClient client = new TextClient(frontPort)) {
            assertThat(client.exchange("set k 7 0 " + value.length() + "\r\n" + value + "\r\n", "STORED\r\n")).isEqualTo("STORED\r\n");
            assertThat(client.exchange("get k\r\n", stored)).isEqualTo(stored);
        }
        try (TextClient direct = new TextClient(storePort)) {
            assertThat(direct.exchange("get k\r\n", stored)).isEqualTo(stored);
        }
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void pipelinedRequestsAreAnsweredInOrderEvenWhenAValueLooksLikeAVersionReply(Store store) {
        start(store);
        String version;
        try (TextClient direct = new TextClient(storePort)) {
            version = direct.send("version\r\n").readLine();
        }
        String value = "VERSION 0.0.1\r\n";
        String valueReply = "VALUE k 0 15\r\nVERSION 0.0.1\r\n\r\nEND\r\n";
        String expected = "STORED\r\n" + valueReply + CONFIG_REPLY + version + valueReply + CONFIG_REPLY;
        try (TextClient client = new TextClient(frontPort)) {
            client.send("set k 0 0 15\r\n" + value + "\r\nget k\r\nconfig get cluster\r\nversion\r\nget k\r\nconfig get cluster\r\n");
            assertThat(client.read(expected.length())).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void relaysLargeValuesWholeInBothDirections(Store store) {
        start(store);
        String value = "0123456789abcdef".repeat(60_000); // 960,000 bytes, under the 1 MiB item limit
        String reply = "VALUE big 0 " + value.length() + "\r\n" + value + "\r\nEND\r\n";
        try (TextClient client = new TextClient(frontPort)) {
            assertThat(client.exchange("set big 0 0 " + value.length() + "\r\n" + value + "\r\n", "STORED\r\n")).isEqualTo("STORED\r\n");
            assertThat(client.exchange("get big\r\nget big\r\n", reply + reply)).isEqualTo(reply + reply);
        }
    }

    /** Repeated: the requests and the end of input arrive before the store connection is open, or after. */
    @ParameterizedTest
    @EnumSource(Store.class)
    void answersEveryRequestBeforeClosingAfterTheClientEndsItsSendingSide(Store store) {
        start(store);
        for (int attempt = 0; attempt < 20; attempt++) {
            answersBeforeClosingAfterTheEndOfInput();
        }
    }

    private void answersBeforeClosingAfterTheEndOfInput() {
        try (TextClient client = new TextClient(frontPort)) {
            client.send("set k 0 0 5\r\nhello\r\nget k\r\nconfig get cluster\r\n");
            client.shutdownOutput();
            String expected = "STORED\r\nVALUE k 0 5\r\nhello\r\nEND\r\n" + CONFIG_REPLY;
            assertThat(client.read(expected.length())).isEqualTo(expected);
            assertThat(client.closedByServer()).isTrue();
        }
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
