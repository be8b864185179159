package io.memgrate.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.memgrate.cluster.Node;
import io.memgrate.cluster.Topology;

class ConfigAnswerTest {

    private static final String PAYLOAD = "12\na.example|10.0.0.1|11211 b.example||11212\n";
    private static final Topology EXPECTED = new Topology(12, List.of(
            new Node("a.example", "10.0.0.1", 11211),
            new Node("b.example", "", 11212)));

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static ConfigAnswer parse(String reply) {
        return parse(ascii(reply));
    }

    private static ConfigAnswer parse(byte[] reply) {
        return Decoding.whole(ReplyDecoder.config(), reply);
    }

    private static String engineVersion(byte[] reply) {
        return Decoding.whole(ReplyDecoder.version(), reply);
    }

    @Test
    void configReplyIsFound() {
        ConfigAnswer answer = parse("CONFIG cluster 0 45\r\n" + PAYLOAD + "\r\nEND\r\n");

        assertThat(answer).isEqualTo(new ConfigAnswer.Found(EXPECTED));
    }

    @Test
    void valueReplyParsesTheSame() {
        ConfigAnswer answer = parse("VALUE AmazonElastiCache:cluster 0 45\r\n" + PAYLOAD + "\r\nEND\r\n");

        assertThat(answer).isEqualTo(new ConfigAnswer.Found(EXPECTED));
    }

    @Test
    void ownRepliesParseBack() {
        assertThat(parse(Replies.config(EXPECTED))).isEqualTo(new ConfigAnswer.Found(EXPECTED));
        assertThat(parse(Replies.legacyConfig(EXPECTED))).isEqualTo(new ConfigAnswer.Found(EXPECTED));
    }

    @Test
    void errorIsUnknownCommand() {
        assertThat(parse("ERROR\r\n")).isInstanceOf(ConfigAnswer.UnknownCommand.class);
    }

    @Test
    void serverErrorIsRefusedWithTheLine() {
        assertThat(parse("SERVER_ERROR busy\r\n")).isEqualTo(new ConfigAnswer.Refused("SERVER_ERROR busy"));
    }

    @Test
    void clientErrorIsRefused() {
        assertThat(parse("CLIENT_ERROR bad command line format\r\n")).isInstanceOf(ConfigAnswer.Refused.class);
    }

    @Test
    void endAloneIsRefused() {
        ConfigAnswer answer = parse("END\r\n");

        assertThat(answer).isInstanceOf(ConfigAnswer.Refused.class);
        assertThat(((ConfigAnswer.Refused) answer).reason()).contains("AmazonElastiCache:cluster");
    }

    @Test
    void badNodeInPayloadIsMalformed() {
        String payload = "12\na.example|10.0.0.1|0\n"; // 24 bytes: "12\n" (3) + "a.example|10.0.0.1|0" (20) + "\n" (1)
        assertThatThrownBy(() -> parse("CONFIG cluster 0 24\r\n" + payload + "\r\nEND\r\n"))
                .isInstanceOf(MalformedReplyException.class)
                .hasMessageContaining("outside 1-65535");
    }

    @Test
    void malformedPayloadShapeIsMalformed() {
        String payload = "12\n\n"; // 4 bytes
        assertThatThrownBy(() -> parse("CONFIG cluster 0 4\r\n" + payload + "\r\nEND\r\n"))
                .isInstanceOf(MalformedReplyException.class)
                .hasMessageContaining("lists no nodes");
    }

    @Test
    void engineVersionIsReadFromTheVersionLine() {
        assertThat(engineVersion(ascii("VERSION 1.6.22\r\n"))).isEqualTo("1.6.22");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ERROR\r\n", "VERSION\r\n", "VERSION \r\n", "VERSION 1.6 22\r\n", "version 1.6.22\r\n",
            "VERSION 1.6.22 \r\n", "SERVER_ERROR busy\r\n"})
    void garbageVersionAnswerIsMalformed(String reply) {
        assertThatThrownBy(() -> engineVersion(ascii(reply)))
                .isInstanceOf(MalformedReplyException.class)
                .hasMessageContaining("is not 'VERSION <x.y.z>'");
    }
}
