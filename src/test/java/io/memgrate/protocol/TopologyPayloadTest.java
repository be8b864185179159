package io.memgrate.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.memgrate.cluster.Node;
import io.memgrate.cluster.Topology;

class TopologyPayloadTest {

    private static final String LABEL_63 = "a".repeat(63);

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

    /** The payload {@code 1\n<entry>\n}, the entry's bytes as given. */
    private static byte[] payloadWithEntry(byte[] entry) {
        byte[] payload = new byte[entry.length + 3];
        payload[0] = '1';
        payload[1] = '\n';
        System.arraycopy(entry, 0, payload, 2, entry.length);
        payload[payload.length - 1] = '\n';
        return payload;
    }

    static Stream<Arguments> entriesWithABadHost() {
        return Stream.of(
                arguments("n\u00f6d\u00e9.example|10.0.0.1|11211".getBytes(StandardCharsets.UTF_8),
                        "node entry 'n\\xc3\\xb6d\\xc3\\xa9.example|10.0.0.1|11211' has a host that is not a DNS name:"
                                + " character '\\xc3' at 1"),
                arguments(new byte[] {'a', '\t', 'b', '|', '|', '1'}, "node entry 'a\\x09b||1' has a host"),
                arguments(ascii("\u001b[31mRED\u001b[0m.example||1"), "node entry '\\x1b[31mRED\\x1b[0m.example||1' has a host"),
                arguments(new byte[] {'a', 0, 'b', '|', '|', '1'}, "node entry 'a\\x00b||1' has a host"),
                arguments(new byte[] {'a', 0x7f, 'b', '|', '|', '1'}, "node entry 'a\\x7fb||1' has a host"),
                arguments(ascii(LABEL_63 + "." + LABEL_63 + "." + LABEL_63 + "." + "a".repeat(62) + "||1"),
                        "has a host that is not a DNS name: it has 254 characters, more than 253"),
                arguments(ascii("a".repeat(64) + ".example||1"), "has a host that is not a DNS name: label '"
                        + "a".repeat(64) + "' has 64 characters, more than 63"),
                arguments(ascii("a.example.||1"), "node entry 'a.example.||1' has a host that is not a DNS name: it ends with a dot"));
    }

    @ParameterizedTest
    @MethodSource("entriesWithABadHost")
    void rejectsAHostThatIsNotADnsNameNamingItEscaped(byte[] entry, String message) {
        assertThatThrownBy(() -> TopologyPayload.parse(payloadWithEntry(entry)))
                .isInstanceOfSatisfying(MalformedReplyException.class, e -> {
                    assertThat(e.reason()).isEqualTo("host");
                    assertThat(e.getMessage()).matches("[\\x20-\\x7e]*");
                })
                .hasMessageContaining(message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"999.1.1.1", "1.2.3", "::g", "a.example", "010.0.0.1", "[::1]", "fe80::1%eth0"})
    void rejectsAnIpThatIsNeitherEmptyNorAnAddress(String ip) {
        assertThatThrownBy(() -> parse("1\na.example|" + ip + "|11211\n"))
                .isInstanceOfSatisfying(MalformedReplyException.class, e -> assertThat(e.reason()).isEqualTo("ip"))
                .hasMessage("node entry 'a.example|" + ip + "|11211' has '" + ip + "' as its IP, which is neither empty"
                        + " nor an IPv4 or IPv6 address");
    }

    @Test
    void rejectsAControlByteInTheIpEscaped() {
        assertThatThrownBy(() -> TopologyPayload.parse(payloadWithEntry(new byte[] {'a', '|', '1', 0x1b, '|', '1'})))
                .isInstanceOfSatisfying(MalformedReplyException.class, e -> assertThat(e.reason()).isEqualTo("ip"))
                .hasMessageStartingWith("node entry 'a|1\\x1b|1' has '1\\x1b' as its IP");
    }

    @Test
    void acceptsElastiCacheNamesAndIpv6Addresses() {
        Topology config = parse("3\nname.xxxxxx.0001.use1.cache.amazonaws.com|10.0.0.1|11211"
                + " name.xxxxxx.0002.use1.cache.amazonaws.com|2600:1f18:4a3:6900::2a|11211 "
                + LABEL_63 + "." + LABEL_63 + "." + LABEL_63 + "." + "a".repeat(61) + "|::ffff:10.0.0.3|11211\n");

        assertThat(config.nodes()).extracting(Node::ip).containsExactly("10.0.0.1", "2600:1f18:4a3:6900::2a", "::ffff:10.0.0.3");
        assertThat(TopologyPayload.parse(TopologyPayload.of(config))).isEqualTo(config);
    }

    @Test
    void rejectsASecondNodeLine() {
        assertRejected("1\na|1.1.1.1|11211\nb|2.2.2.2|11211\n", "more than one node line");
    }
}
