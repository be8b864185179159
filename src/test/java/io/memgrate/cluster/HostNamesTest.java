package io.memgrate.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostNamesTest {

    private static final String LABEL_63 = "a".repeat(63);

    @ParameterizedTest
    @ValueSource(strings = {
            "name.xxxxxx.0001.use1.cache.amazonaws.com",
            "orders-cache-old.x1y2z3.cfg.use1.cache.amazonaws.com",
            "a", "localhost", "127.0.0.1", "0-a.9-B.example", "xn--nd-fka.example"})
    void acceptsDnsNames(String host) {
        assertThat(HostNames.problem(host)).isEmpty();
    }

    @Test
    void acceptsLabelsOf63AndNamesOf253Characters() {
        String longest = String.join(".", LABEL_63, LABEL_63, LABEL_63, "a".repeat(61));
        assertThat(longest).hasSize(253);
        assertThat(HostNames.problem(longest)).isEmpty();
    }

    @Test
    void refusesANameOf254Characters() {
        String tooLong = String.join(".", LABEL_63, LABEL_63, LABEL_63, "a".repeat(62));
        assertThat(HostNames.problem(tooLong)).contains("it has 254 characters, more than 253");
    }

    @Test
    void refusesALabelOf64Characters() {
        assertThat(HostNames.problem("a".repeat(64) + ".example"))
                .contains("label '" + "a".repeat(64) + "' has 64 characters, more than 63");
    }

    /** Built in code, not a CSV table, which would trim control characters at either end. */
    static Stream<Arguments> refusedHosts() {
        String notAllowed = " is not a letter, digit, hyphen or dot";
        return Stream.of(
                arguments("n\u00f6d\u00e9.example", "character '\\xf6' at 1" + notAllowed),
                arguments("a\tb.example", "character '\\x09' at 1" + notAllowed),
                arguments("\u001b[31mRED\u001b[0m.example", "character '\\x1b' at 0" + notAllowed),
                arguments("a\u0000.example", "character '\\x00' at 1" + notAllowed),
                arguments("a\u007f.example", "character '\\x7f' at 1" + notAllowed),
                arguments("a\u2028.example", "character '\\x{2028}' at 1" + notAllowed),
                arguments("a\r\nb.example", "character '\\x0d' at 1" + notAllowed),
                arguments("a_b.example", "character '_' at 1" + notAllowed),
                arguments("a b", "character ' ' at 1" + notAllowed),
                arguments("a:b", "character ':' at 1" + notAllowed),
                arguments("-a.example", "label '-a' starts or ends with a hyphen"),
                arguments("a-.example", "label 'a-' starts or ends with a hyphen"),
                arguments("a..example", "it has an empty label at 2"),
                arguments(".example", "it has an empty label at 0"),
                arguments("a.example.", "it ends with a dot"),
                arguments("", "it is empty"));
    }

    @ParameterizedTest
    @MethodSource("refusedHosts")
    void refusesAnythingElseSayingWhy(String host, String problem) {
        assertThat(HostNames.problem(host)).contains(problem);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1", "0.0.0.0", "255.255.255.255", "::1", "::", "fe80::1", "2001:db8::8a2e:370:7334",
            "2001:0DB8:0000:0000:0000:ff00:0042:8329", "1:2:3:4:5:6:7:8", "1::", "1:2:3:4:5:6:7::", "::ffff:10.0.0.1",
            "1:2:3:4:5:6:10.0.0.1", "64:ff9b::192.0.2.33"})
    void acceptsIpv4AndIpv6Literals(String ip) {
        assertThat(HostNames.isIpLiteral(ip)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"999.1.1.1", "1.2.3", "1.2.3.4.5", "256.0.0.1", "010.0.0.1", "1.2.3.", "+1.2.3.4", "1.2.3.4 ",
            "::g", ":::1", "1:::2", "1::2::3", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "12345::",
            "[::1]", "fe80::1%eth0", "10.0.0.1::", "::1.2.3", "1:2:3:4:5:6:7:1.2.3.4", ":1", "1:",
            "a.example", "localhost", "beef", "", " "})
    void refusesAnythingElseAsAnIp(String ip) {
        assertThat(HostNames.isIpLiteral(ip)).isFalse();
    }
}
