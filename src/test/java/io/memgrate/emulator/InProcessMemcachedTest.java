package io.memgrate.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.memgrate.support.TextClient;
import io.vertx.core.Vertx;

/** The in-process store that dev nodes use where memcached is not installed: memcached's replies, byte for byte. */
class InProcessMemcachedTest {

    private static final long MAX_BYTES = 2L * 1024 * 1024;

    private Vertx vertx;
    private InProcessMemcached store;
    private int port;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        store = new InProcessMemcached(vertx, "1.6.22", MAX_BYTES);
        port = store.start("127.0.0.1", 0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void setGetAndDeleteAnswerAsMemcachedDoes() {
        try (TextClient client = new TextClient(port)) {
            assertThat(client.exchange("get k\r\n", "END\r\n")).isEqualTo("END\r\n");
            assertThat(client.exchange("set k 5 0 5\r\nhello\r\n", "STORED\r\n")).isEqualTo("STORED\r\n");
            assertThat(client.exchange("get k\r\n", "VALUE k 5 5\r\nhello\r\nEND\r\n")).isEqualTo("VALUE k 5 5\r\nhello\r\nEND\r\n");
            assertThat(client.exchange("delete k\r\n", "DELETED\r\n")).isEqualTo("DELETED\r\n");
            assertThat(client.exchange("delete k 0\r\n", "NOT_FOUND\r\n")).isEqualTo("NOT_FOUND\r\n");
            assertThat(client.exchange("get k\r\n", "END\r\n")).isEqualTo("END\r\n");
        }
    }

    @Test
    void multiKeyGetsAnswersEachStoredKeyWithItsCasInOneReply() {
        try (TextClient client = new TextClient(port)) {
            client.send("set a 0 0 1\r\n1\r\nset b 4294967295 0 2\r\n22\r\n");
            assertThat(client.read("STORED\r\nSTORED\r\n".length())).isEqualTo("STORED\r\nSTORED\r\n");
            String expected = "VALUE a 0 1 1\r\n1\r\nVALUE b 4294967295 2 2\r\n22\r\nEND\r\n";
            assertThat(client.exchange("gets a missing b\r\n", expected)).isEqualTo(expected);
        }
    }

    @Test
    void aValueHoldingCommandTextIsStoredNotRun() {
        String value = "x\r\ndelete k\r\nget k\r\n";
        try (TextClient client = new TextClient(port)) {
            assertThat(client.exchange("set k 0 0 " + value.length() + "\r\n" + value + "\r\n", "STORED\r\n")).isEqualTo("STORED\r\n");
            String expected = "VALUE k 0 " + value.length() + "\r\n" + value + "\r\nEND\r\n";
            assertThat(client.exchange("get k\r\n", expected)).isEqualTo(expected);
        }
    }

    @Test
    void addReplaceAndNoreplyFollowMemcached() {
        try (TextClient client = new TextClient(port)) {
            assertThat(client.exchange("replace k 0 0 1\r\na\r\n", "NOT_STORED\r\n")).isEqualTo("NOT_STORED\r\n");
            assertThat(client.exchange("add k 0 0 1\r\nb\r\n", "STORED\r\n")).isEqualTo("STORED\r\n");
            assertThat(client.exchange("add k 0 0 1\r\nc\r\n", "NOT_STORED\r\n")).isEqualTo("NOT_STORED\r\n");
            client.send("set k 0 0 1 noreply\r\nd\r\n");
            assertThat(client.exchange("get k\r\n", "VALUE k 0 1\r\nd\r\nEND\r\n")).isEqualTo("VALUE k 0 1\r\nd\r\nEND\r\n");
        }
    }

    @Test
    void aValueOverTheItemLimitIsRefusedAndItsBytesAreNotReadAsCommands() {
        int tooLarge = InProcessMemcached.MAX_ITEM_BYTES + 1;
        String block = "get k\r\n".repeat(tooLarge / 7 + 1).substring(0, tooLarge);
        try (TextClient client = new TextClient(port)) {
            String expected = "SERVER_ERROR object too large for cache\r\n";
            assertThat(client.exchange("set k 0 0 " + tooLarge + "\r\n" + block + "\r\n", expected)).isEqualTo(expected);
            String atTheLimit = "v".repeat(InProcessMemcached.MAX_ITEM_BYTES);
            assertThat(client.exchange("set k 0 0 " + atTheLimit.length() + "\r\n" + atTheLimit + "\r\n", "STORED\r\n"))
                    .isEqualTo("STORED\r\n");
        }
    }

    @Test
    void theLeastRecentlyUsedItemsAreEvictedToStayWithinTheMemoryLimit() {
        String value = "v".repeat(512 * 1024);
        try (TextClient client = new TextClient(port)) {
            // 5 values of 512 KiB in a 2 MiB store: 3 fit, and the two used least recently go (k1 was read after k3)
            for (int i = 1; i <= 5; i++) {
                assertThat(client.exchange("set k" + i + " 0 0 " + value.length() + "\r\n" + value + "\r\n", "STORED\r\n"))
                        .isEqualTo("STORED\r\n");
                if (i == 3) {
                    client.exchange("get k1\r\n", "VALUE k1 0 524288\r\n" + value + "\r\nEND\r\n");
                }
            }
            String k1 = "VALUE k1 0 524288\r\n" + value + "\r\nEND\r\n";
            assertThat(client.exchange("get k1\r\n", k1)).isEqualTo(k1);
            assertThat(client.exchange("get k2\r\n", "END\r\n")).isEqualTo("END\r\n");
            assertThat(client.exchange("get k3\r\n", "END\r\n")).isEqualTo("END\r\n");
            client.send("stats\r\n");
            String stats = client.readUntilEnd();
            assertThat(stats).contains("STAT curr_items 3\r\n", "STAT bytes " + 3 * (2 + value.length()) + "\r\n",
                    "STAT limit_maxbytes " + MAX_BYTES + "\r\n", "STAT evictions 2\r\n");
        }
    }

    @Test
    void malformedInputGetsMemcachedsErrors() {
        try (TextClient client = new TextClient(port)) {
            assertThat(client.exchange("bogus\r\n", "ERROR\r\n")).isEqualTo("ERROR\r\n");
            String badFormat = "CLIENT_ERROR bad command line format\r\n";
            assertThat(client.exchange("set k 0 0 x\r\n", badFormat)).isEqualTo(badFormat);
            // the block is "ab" + "c\r"; the "\n" left over is an empty command line, as memcached reads it
            String badChunk = "CLIENT_ERROR bad data chunk\r\nERROR\r\n";
            assertThat(client.exchange("set k 0 0 2\r\nabc\r\n", badChunk)).isEqualTo(badChunk);
            assertThat(client.exchange("get " + "k".repeat(251) + "\r\n", badFormat)).isEqualTo(badFormat);
        }
    }

    @Test
    void statsCountGetsHitsSetsAndConnectionsAsMemcachedDoes() {
        try (TextClient client = new TextClient(port); TextClient other = new TextClient(port)) {
            client.exchange("set counted 0 0 1\r\nv\r\n", "STORED\r\n");
            client.exchange("get counted missing\r\n", "VALUE counted 0 1\r\nv\r\nEND\r\n");
            other.exchange("get missing\r\n", "END\r\n");
            client.send("stats\r\n");
            String stats = client.readUntilEnd();

            assertThat(stats).containsPattern("STAT uptime [0-9]+\r\n").contains("STAT curr_connections 2\r\n",
                    "STAT cmd_get 3\r\n", "STAT get_hits 1\r\n", "STAT get_misses 2\r\n", "STAT cmd_set 1\r\n");
        }
    }

    @Test
    void versionStatsAndQuit() {
        try (TextClient client = new TextClient(port)) {
            assertThat(client.exchange("version\r\n", "VERSION 1.6.22\r\n")).isEqualTo("VERSION 1.6.22\r\n");
            client.send("stats\r\n");
            assertThat(client.readUntilEnd()).startsWith("STAT pid ").contains("STAT version 1.6.22\r\n").endsWith("END\r\n");
            client.send("quit\r\n");
            assertThat(client.closedByServer()).isTrue();
        }
    }
}
