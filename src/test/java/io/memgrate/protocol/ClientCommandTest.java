package io.memgrate.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.memgrate.protocol.ClientCommand.Kind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

class ClientCommandTest {

    private static ClientCommand parse(String line) {
        return ClientCommand.parse(line.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The line rule of requests: {@code \n} or {@code \r\n} ends a line, a {@code \r} elsewhere is part of it. */
    @Test
    void aRequestLineEndsAtItsNewlineWithAnOptionalCarriageReturn() {
        assertThat(firstLine("xx|version\n")).isEqualTo("version");
        assertThat(firstLine("xx|version\r\nstats\r\n")).isEqualTo("version");
        assertThat(firstLine("xx|\n")).isEmpty();
        assertThat(firstLine("xx|\r\n")).isEmpty();
        assertThat(firstLine("xx|a\rb\n")).isEqualTo("a\rb");
        assertThat(firstLine("xx|a\r\r\n")).isEqualTo("a\r");
    }

    /** The first line after the {@code |} in {@code text}, found as the server finds it. */
    private static String firstLine(String text) {
        ByteBuf bytes = Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
        int from = text.indexOf('|') + 1;
        int newline = ClientCommand.lineEnd(bytes, from, bytes.writerIndex());
        assertThat(newline).as("where the line ends").isEqualTo(text.indexOf('\n'));
        return bytes.toString(from, ClientCommand.lineLength(bytes, from, newline), StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "version", "version\r", "xx|version"})
    void aRequestLineWithoutItsNewlineHasNoEndYet(String text) {
        ByteBuf bytes = Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);

        assertThat(ClientCommand.lineEnd(bytes, 0, bytes.writerIndex())).isEqualTo(-1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "config get cluster;            CONFIG_GET_CLUSTER",
            "'config  get   cluster';       CONFIG_GET_CLUSTER",
            "get AmazonElastiCache:cluster; LEGACY_CONFIG_GET",
            "version;                       VERSION",
            "stats;                         STATS",
            "stats slabs;                   STATS_WITH_ARGUMENTS",
            "stats reset;                   STATS_WITH_ARGUMENTS",
            "stats detail on;               STATS_WITH_ARGUMENTS",
            "stats cachedump 1 10;          STATS_WITH_ARGUMENTS",
            "'stats  ';                     STATS",
            "quit;                          QUIT"})
    void classifiesSupportedCommands(String line, Kind expected) {
        ClientCommand command = parse(line);

        assertThat(command.kind()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "set foo 0 0 1",
            "config set cluster 0 0 10",
            "get other",
            "get AmazonElastiCache:cluster other",
            "version x",
            "CONFIG GET CLUSTER",
            "config get",
            "config get cluster extra",
            "quit now",
            "gets AmazonElastiCache:cluster"})
    void everythingElseIsUnsupported(String line) {
        assertThat(parse(line).kind()).isEqualTo(Kind.UNSUPPORTED);
    }
}
