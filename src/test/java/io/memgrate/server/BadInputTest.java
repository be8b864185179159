package io.memgrate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;

import io.memgrate.support.TestClusters;
import io.memgrate.support.TextClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Bad client input gets a defined answer and a closed connection; nothing blocks and nothing served changes. */
@QuarkusTest
@TestProfile(SmallClientLimits.class)
@WithTestResource(TestClusters.class)
class BadInputTest extends SmallLimitsClientTest {

    @Test
    void lineLongerThanTheLimitWithoutALineEnd() {
        try (TextClient client = new TextClient(server.port())) {
            client.send("get " + "k".repeat(3000));
            assertThat(client.read("CLIENT_ERROR line too long\r\n".length())).isEqualTo("CLIENT_ERROR line too long\r\n");
            assertThat(client.closedByServer()).isTrue();
        }
        assertStillServing();
    }

    @Test
    void completeLineOverTheLimitIsRefusedAndALineAtTheLimitIsRead() {
        String unsupported = "SERVER_ERROR unsupported command; Memgrate answers only: config get cluster, "
                + "get AmazonElastiCache:cluster, version, stats, quit\r\n";
        String atTheLimit = "get " + "k".repeat(2048 - 4);
        try (TextClient client = new TextClient(server.port())) {
            client.send(atTheLimit + "\r\n");
            assertThat(client.read(unsupported.length())).isEqualTo(unsupported);
        }
        try (TextClient client = new TextClient(server.port())) {
            client.send("version\r\n" + atTheLimit + "k\r\nversion\r\n");
            String expected = "VERSION 1.6.22\r\nCLIENT_ERROR line too long\r\n";
            assertThat(client.read(expected.length())).isEqualTo(expected);
            assertThat(client.closedByServer()).isTrue();
        }
        assertStillServing();
    }

    @Test
    void binaryProtocolRequestIsAnsweredAtOnce() {
        byte[] binaryVersion = new byte[24];
        binaryVersion[0] = (byte) 0x80; // request magic
        binaryVersion[1] = 0x0b;        // opcode: version
        String expected = "CLIENT_ERROR binary protocol is not supported; Memgrate speaks the memcached text protocol\r\n";
        try (TextClient client = new TextClient(server.port())) {
            client.send(binaryVersion);
            assertThat(client.read(expected.length())).isEqualTo(expected);
            assertThat(client.closedByServer()).isTrue();
        }
        assertStillServing();
    }

    @Test
    void nonTextInputAfterAValidCommand() {
        String expected = "VERSION 1.6.22\r\nCLIENT_ERROR non-text input; Memgrate speaks the memcached text protocol\r\n";
        try (TextClient client = new TextClient(server.port())) {
            client.send(new byte[] {'v', 'e', 'r', 's', 'i', 'o', 'n', '\r', '\n', 'g', 'e', 't', 0x01, 'x'});
            assertThat(client.read(expected.length())).isEqualTo(expected);
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void manyCommandsInOnePacketAndOneCommandOverManyPackets() {
        try (TextClient client = new TextClient(server.port())) {
            client.send("config get cluster\r\n".repeat(200));
            assertThat(client.read(config.length() * 200)).isEqualTo(config.repeat(200));
            for (char c : "config get cluster\r\n".toCharArray()) {
                client.send(String.valueOf(c));
            }
            assertThat(client.read(config.length())).isEqualTo(config);
        }
    }

    @Test
    void oneConnectionOverTheMaximumIsRefused() {
        List<TextClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                open.add(new TextClient(server.port()));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> server.openConnections() == 5);
            try (TextClient extra = new TextClient(server.port())) {
                assertThat(extra.read("SERVER_ERROR too many connections\r\n".length())).isEqualTo("SERVER_ERROR too many connections\r\n");
                assertThat(extra.closedByServer()).isTrue();
            }
            assertThat(open.get(4).exchange("config get cluster\r\n", config)).isEqualTo(config);
            open.remove(0).close();
            await().atMost(Duration.ofSeconds(5)).until(() -> server.openConnections() == 4);
            try (TextClient again = new TextClient(server.port())) {
                assertThat(again.exchange("config get cluster\r\n", config)).isEqualTo(config);
            }
        } finally {
            open.forEach(TextClient::close);
        }
    }

    @Test
    void clientsThatResetTheirConnectionAreCountedNotLoggedAsErrors() throws Exception {
        List<LogRecord> errors = new CopyOnWriteArrayList<>();
        Handler errorLog = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    errors.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        double before = connectionErrors("io");
        Logger.getLogger("").addHandler(errorLog);
        try {
            for (int i = 0; i < 20; i++) {
                try (Socket client = new Socket("127.0.0.1", server.port())) {
                    client.getOutputStream().write("version\r\n".getBytes(StandardCharsets.US_ASCII));
                    assertThat(client.getInputStream().read()).isEqualTo('V');
                    // closing with unread bytes and no linger sends a reset, not a FIN
                    client.setSoLinger(true, 0);
                }
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> connectionErrors("io") - before == 20);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.openConnections() == 0);
        } finally {
            Logger.getLogger("").removeHandler(errorLog);
        }
        assertThat(errors).extracting(LogRecord::getMessage).isEmpty();
        assertStillServing();
    }

    private double connectionErrors(String reason) {
        var counter = registry.find("memgrate.client.connection.errors").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    private void assertStillServing() {
        try (TextClient client = new TextClient(server.port())) {
            assertThat(client.exchange("config get cluster\r\n", config)).isEqualTo(config);
        }
    }
}
