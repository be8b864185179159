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

class TopologyPayloadTest {

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static Topology parse(String payload) {
        return TopologyPayload.parse(ascii(payload));
    }

    private static void assertRejected(String payload, String messageFragment) {
        assertThatThrownBy(() -> parse(payload))
                .isInstanceOf(MalformedReplyException.class)
                .hasMessageContaining(messageFragment);
    }

    @Test
    void parsesVersionAndNodesIncludingAnEmptyIp() {
        Topology config = parse("12\na.example|10.0.0.1|11211 b.example||11212\n");

        assertThat(config.version()).isEqualTo(12);
        assertThat(config.nodes()).containsExactly(
                new Node("a.example", "10.0.0.1", 11211),
                new Node("b.example", "", 11212));
    }

    @Test
    void parsesTheLargestSigned32BitVersion() {
        assertThat(parse("2147483647\na|1.2.3.4|1\n").version()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void payloadRoundTripsThroughParse() {
        Topology original = new Topology(7, List.of(
                new Node("a.example", "10.0.0.1", 11211),
                new Node("b.example", "", 11212),
                new Node("c.example", "10.0.0.3", 65535)));

        byte[] payload = TopologyPayload.of(original);

        assertThat(new String(payload, StandardCharsets.US_ASCII))
                .isEqualTo("7\na.example|10.0.0.1|11211 b.example||11212 c.example|10.0.0.3|65535\n");
        assertThat(TopologyPayload.parse(payload)).isEqualTo(original);
    }

    @Test
    void rejectsMissingTrailingNewline() {
        assertRejected("12\na.example|10.0.0.1|11211", "payload is not");
    }

    @Test
    void rejectsVersionOnly() {
        assertRejected("12\n", "payload is not");
    }

    @Test
    void rejectsEmptyNodeLine() {
        assertRejected("12\n\n", "lists no nodes");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "12\na|1.1.1.1|11211  b|2.2.2.2|11211\n",
            "12\n a|1.1.1.1|11211\n",
            "12\na|1.1.1.1|11211 \n"})
    void rejectsEmptyNodeEntry(String payload) {
        assertRejected(payload, "empty node entry");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x", "1a", "-1", "+1", " 1", ""})
    void rejectsNonNumericOrNegativeVersion(String version) {
        assertRejected(version + "\na|1.1.1.1|11211\n", "is not a non-negative integer");
    }

    @Test
    void rejectsVersionAboveSigned32Bit() {
        assertRejected("2147483648\na|1.1.1.1|11211\n", "does not fit a signed 32-bit integer");
    }

    @Test
    void rejectsVersionTooLongForALong() {
        assertThatThrownBy(() -> parse("99999999999999999999\na|1.1.1.1|11211\n"))
                .isInstanceOf(MalformedReplyException.class)
                .hasMessageContaining("99999999999999999999");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "65536"})
    void rejectsPortOutOfRange(String port) {
        assertRejected("1\na|1.1.1.1|" + port + "\n", "outside 1-65535");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "", "-1", "112x1", "999999"})
    void rejectsNonNumericPort(String port) {
        assertRejected("1\na|1.1.1.1|" + port + "\n", "has no numeric port");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "a.example|11211",              // two fields (one pipe)
            "a.example",                    // no pipe
            "a.example|10.0.0.1|x|11211",   // four fields (three pipes)
            "a.example|10.0.0.1|x|y|11211"  // five fields (four pipes)
    })
    void rejectsEntryWithoutExactlyThreeFields(String entry) {
        assertRejected("1\n" + entry + "\n", "is not host|ip|port");
    }

    @Test
    void rejectsEmptyHost() {
        assertRejected("1\n|10.0.0.1|11211\n", "empty host");
    }

    @Test
    void rejectsASecondNodeLine() {
        assertRejected("1\na|1.1.1.1|11211\nb|2.2.2.2|11211\n", "more than one node line");
    }
}
