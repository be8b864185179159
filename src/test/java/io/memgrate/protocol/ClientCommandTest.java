package io.memgrate.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.memgrate.protocol.ClientCommand.Kind;

class ClientCommandTest {

    private static ClientCommand parse(String line) {
        return ClientCommand.parse(line.getBytes(StandardCharsets.ISO_8859_1));
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
