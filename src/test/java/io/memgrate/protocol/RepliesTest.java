package io.memgrate.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.memgrate.cluster.Node;
import io.memgrate.cluster.Topology;

class RepliesTest {

    private static final Topology CONFIG = new Topology(12, List.of(
            new Node("a.example", "10.0.0.1", 11211),
            new Node("b.example", "", 11212)));

    private static final String PAYLOAD = "12\na.example|10.0.0.1|11211 b.example||11212\n";

    /** By hand: "12\n" (3) + "a.example|10.0.0.1|11211" (24) + " " (1) + "b.example||11212" (16) + "\n" (1). */
    private static final int PAYLOAD_LENGTH = 45;

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void handCountedLengthMatchesThePayload() {
        assertThat(ascii(PAYLOAD)).hasSize(PAYLOAD_LENGTH);
        assertThat(TopologyPayload.of(CONFIG)).isEqualTo(ascii(PAYLOAD));
    }

    @Test
    void configReplyIsByteExact() {
        byte[] expected = ascii("CONFIG cluster 0 45\r\n"
                + "12\na.example|10.0.0.1|11211 b.example||11212\n"
                + "\r\nEND\r\n");

        assertThat(Replies.config(CONFIG)).isEqualTo(expected);
    }

    @Test
    void legacyConfigReplyIsByteExact() {
        byte[] expected = ascii("VALUE AmazonElastiCache:cluster 0 45\r\n"
                + "12\na.example|10.0.0.1|11211 b.example||11212\n"
                + "\r\nEND\r\n");

        assertThat(Replies.legacyConfig(CONFIG)).isEqualTo(expected);
    }

    @Test
    void versionIsByteExact() {
        assertThat(Replies.version("1.6.22")).isEqualTo(ascii("VERSION 1.6.22\r\n"));
    }

    @Test
    void serverErrorIsByteExact() {
        assertThat(Replies.serverError("no configuration yet")).isEqualTo(ascii("SERVER_ERROR no configuration yet\r\n"));
    }

    @Test
    void clientErrorIsByteExact() {
        assertThat(Replies.clientError("line too long")).isEqualTo(ascii("CLIENT_ERROR line too long\r\n"));
    }

    @Test
    void unsupportedCommandIsByteExact() {
        assertThat(Replies.unsupportedCommand()).isEqualTo(ascii("SERVER_ERROR unsupported command; Memgrate answers only: "
                + "config get cluster, get AmazonElastiCache:cluster, version, stats, quit\r\n"));
    }

    @Test
    void lineIsByteExact() {
        assertThat(Replies.line("END")).isEqualTo(ascii("END\r\n"));
    }
}
