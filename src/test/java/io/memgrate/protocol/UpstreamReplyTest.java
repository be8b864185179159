package io.memgrate.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UpstreamReplyTest {

    private static final int MAX = 64 * 1024;

    /** 45 payload bytes: "12\n" (3) + "a.example|10.0.0.1|11211" (24) + " " (1) + "b.example||11212" (16) + "\n" (1). */
    private static final String PAYLOAD = "12\na.example|10.0.0.1|11211 b.example||11212\n";
    private static final String CONFIG_REPLY = "CONFIG cluster 0 45\r\n" + PAYLOAD + "\r\nEND\r\n";
    private static final String VALUE_REPLY = "VALUE AmazonElastiCache:cluster 0 45\r\n" + PAYLOAD + "\r\nEND\r\n";

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static int frame(UpstreamReply shape, String data) {
        return frame(shape, data, MAX);
    }

    private static int frame(UpstreamReply shape, String data, int maxBytes) {
        byte[] bytes = ascii(data);
        return shape.completeLength(bytes, bytes.length, maxBytes);
    }

    private static void assertMalformed(UpstreamReply shape, String data, String messageFragment) {
        assertThatThrownBy(() -> frame(shape, data))
                .isInstanceOf(MalformedReplyException.class)
                .hasMessageContaining(messageFragment);
    }

    @Nested
    class Config {

        @Test
        void completeConfigReplyReturnsItsFullLength() {
            assertThat(frame(UpstreamReply.CONFIG, CONFIG_REPLY)).isEqualTo(CONFIG_REPLY.length());
        }

        @Test
        void completeValueReplyReturnsItsFullLength() {
            assertThat(frame(UpstreamReply.CONFIG, VALUE_REPLY)).isEqualTo(VALUE_REPLY.length());
        }

        @Test
        void everyStrictPrefixNeedsMoreBytes() {
            byte[] bytes = ascii(CONFIG_REPLY);
            for (int length = 0; length < bytes.length; length++) {
                assertThat(UpstreamReply.CONFIG.completeLength(bytes, length, MAX))
                        .as("prefix of %d bytes", length)
                        .isEqualTo(-1);
            }
        }

        @Test
        void lengthArgumentIsHonouredEvenWhenTheArrayHoldsMore() {
            byte[] buffer = new byte[4096];
            byte[] reply = ascii(CONFIG_REPLY);
            System.arraycopy(reply, 0, buffer, 0, reply.length);

            assertThat(UpstreamReply.CONFIG.completeLength(buffer, reply.length - 1, MAX)).isEqualTo(-1);
            assertThat(UpstreamReply.CONFIG.completeLength(buffer, reply.length, MAX)).isEqualTo(reply.length);
        }

        @Test
        void pipelinedRepliesReturnOnlyTheFirstLength() {
            assertThat(frame(UpstreamReply.CONFIG, CONFIG_REPLY + CONFIG_REPLY)).isEqualTo(CONFIG_REPLY.length());
            assertThat(frame(UpstreamReply.CONFIG, CONFIG_REPLY + "CONF")).isEqualTo(CONFIG_REPLY.length());
        }

        @ParameterizedTest
        @ValueSource(strings = {"ERROR", "SERVER_ERROR x", "CLIENT_ERROR bad command line format", "END"})
        void errorAndEndLinesAreCompleteAfterTheirLine(String line) {
            assertThat(frame(UpstreamReply.CONFIG, line + "\r\n")).isEqualTo(line.length() + 2);
            assertThat(frame(UpstreamReply.CONFIG, line + "\r\n" + CONFIG_REPLY)).isEqualTo(line.length() + 2);
        }

        @Test
        void byteCountTooSmallIsMalformed() {
            assertMalformed(UpstreamReply.CONFIG, "CONFIG cluster 0 44\r\n" + PAYLOAD + "\r\nEND\r\n",
                    "not followed by \\r\\nEND\\r\\n");
        }

        @Test
        void byteCountTooLargeWithFollowingBytesIsMalformed() {
            assertMalformed(UpstreamReply.CONFIG, "CONFIG cluster 0 47\r\n" + PAYLOAD + "\r\nEND\r\n" + CONFIG_REPLY,
                    "not followed by \\r\\nEND\\r\\n");
        }

        @Test
        void byteCountTooLargeWithoutFollowingBytesWaits() {
            assertThat(frame(UpstreamReply.CONFIG, "CONFIG cluster 0 47\r\n" + PAYLOAD + "\r\nEND\r\n")).isEqualTo(-1);
        }

        @Test
        void missingEndIsMalformed() {
            assertMalformed(UpstreamReply.CONFIG, "CONFIG cluster 0 45\r\n" + PAYLOAD + "\r\n" + CONFIG_REPLY,
                    "missing END");
        }

        @ParameterizedTest
        @ValueSource(strings = {"STORED", "VERSION 1.6.22", "OK", "config cluster 0 45"})
        void headerThatIsNeitherConfigNorValueIsMalformed(String header) {
            assertMalformed(UpstreamReply.CONFIG, header + "\r\n" + PAYLOAD + "\r\nEND\r\n", "unexpected reply line");
        }

        @ParameterizedTest
        @ValueSource(strings = {"CONFIG other 0 45", "CONFIG cluster 0", "CONFIG cluster 0 45 x",
                "VALUE otherkey 0 45", "CONFIG  cluster 0 45"})
        void configOrValueHeaderOfWrongShapeIsMalformed(String header) {
            assertMalformed(UpstreamReply.CONFIG, header + "\r\n" + PAYLOAD + "\r\nEND\r\n", "unexpected header");
        }

        @ParameterizedTest
        @ValueSource(strings = {"4x", "-45", "+45", "1234567890"})
        void nonNumericByteCountIsMalformed(String count) {
            assertMalformed(UpstreamReply.CONFIG, "CONFIG cluster 0 " + count + "\r\n" + PAYLOAD + "\r\nEND\r\n",
                    "is not a number");
        }

        @Test
        void headerEndedByBareNewlineIsMalformed() {
            assertMalformed(UpstreamReply.CONFIG, "CONFIG cluster 0 45\n" + PAYLOAD + "\r\nEND\r\n",
                    "not ended by \\r\\n");
        }

        @Test
        void errorLineEndedByBareNewlineIsMalformed() {
            assertMalformed(UpstreamReply.CONFIG, "ERROR\n", "not ended by \\r\\n");
        }

        @Test
        void incompleteReplyOverTheLimitIsMalformed() {
            // 30 bytes of an unfinished reply against a 20-byte limit
            assertThatThrownBy(() -> frame(UpstreamReply.CONFIG, CONFIG_REPLY.substring(0, 30), 20))
                    .isInstanceOf(MalformedReplyException.class)
                    .hasMessageContaining("limit of 20 bytes");
        }

        @Test
        void completeReplyOverTheLimitIsMalformed() {
            assertThatThrownBy(() -> frame(UpstreamReply.CONFIG, CONFIG_REPLY, CONFIG_REPLY.length() - 10))
                    .isInstanceOf(MalformedReplyException.class)
                    .hasMessageContaining("limit of " + (CONFIG_REPLY.length() - 10) + " bytes");
        }

        @Test
        void completeReplyOneByteOverTheLimitIsMalformed() {
            int limit = CONFIG_REPLY.length() - 1;
            assertThatThrownBy(() -> frame(UpstreamReply.CONFIG, CONFIG_REPLY, limit))
                    .isInstanceOf(MalformedReplyException.class)
                    .hasMessageContaining("limit of " + limit + " bytes");
        }

        @Test
        void replyOfExactlyTheLimitIsAccepted() {
            assertThat(frame(UpstreamReply.CONFIG, CONFIG_REPLY, CONFIG_REPLY.length())).isEqualTo(CONFIG_REPLY.length());
        }

        @Test
        void replyWithinTheLimitFollowedByMoreBytesIsAccepted() {
            String data = CONFIG_REPLY + CONFIG_REPLY;
            assertThat(frame(UpstreamReply.CONFIG, data, CONFIG_REPLY.length() + 5)).isEqualTo(CONFIG_REPLY.length());
        }
    }

    @Nested
    class Line {

        @Test
        void oneLineIsComplete() {
            assertThat(frame(UpstreamReply.LINE, "VERSION 1.6.22\r\n")).isEqualTo(16);
        }

        @Test
        void onlyTheFirstLineIsTaken() {
            assertThat(frame(UpstreamReply.LINE, "VERSION 1.6.22\r\nVERSION 1.6.22\r\n")).isEqualTo(16);
        }

        @Test
        void prefixesNeedMoreBytes() {
            assertThat(frame(UpstreamReply.LINE, "")).isEqualTo(-1);
            assertThat(frame(UpstreamReply.LINE, "VERSION 1.6")).isEqualTo(-1);
            assertThat(frame(UpstreamReply.LINE, "VERSION 1.6.22\r")).isEqualTo(-1);
        }

        @Test
        void bareNewlineIsMalformed() {
            assertMalformed(UpstreamReply.LINE, "VERSION 1.6.22\n", "not ended by \\r\\n");
        }

        @Test
        void lineOverTheLimitIsMalformed() {
            assertThatThrownBy(() -> frame(UpstreamReply.LINE, "VERSION 1.6.22\r\n", 8))
                    .isInstanceOf(MalformedReplyException.class)
                    .hasMessageContaining("limit of 8 bytes");
        }

        @Test
        void lineOneByteOverTheLimitIsMalformed() {
            assertThatThrownBy(() -> frame(UpstreamReply.LINE, "VERSION 1.6.22\r\n", 15))
                    .isInstanceOf(MalformedReplyException.class)
                    .hasMessageContaining("limit of 15 bytes");
        }
    }

    @Nested
    class Stats {

        private static final String STATS = "STAT pid 1\r\nSTAT uptime 42\r\nSTAT version 1.6.22\r\nEND\r\n";

        @Test
        void statLinesUpToEndAreOneReply() {
            assertThat(frame(UpstreamReply.STATS, STATS)).isEqualTo(STATS.length());
        }

        @Test
        void pipelinedStatsReturnOnlyTheFirst() {
            assertThat(frame(UpstreamReply.STATS, STATS + STATS)).isEqualTo(STATS.length());
        }

        @ParameterizedTest
        @ValueSource(strings = {"END", "RESET", "OK", "ERROR", "SERVER_ERROR busy", "CLIENT_ERROR bad"})
        void terminatingLinesEndTheReply(String terminator) {
            assertThat(frame(UpstreamReply.STATS, terminator + "\r\n")).isEqualTo(terminator.length() + 2);
            assertThat(frame(UpstreamReply.STATS, "STAT a 1\r\n" + terminator + "\r\n"))
                    .isEqualTo("STAT a 1\r\n".length() + terminator.length() + 2);
        }

        @Test
        void everyStrictPrefixNeedsMoreBytes() {
            byte[] bytes = ascii(STATS);
            for (int length = 0; length < bytes.length; length++) {
                assertThat(UpstreamReply.STATS.completeLength(bytes, length, MAX))
                        .as("prefix of %d bytes", length)
                        .isEqualTo(-1);
            }
        }

        @Test
        void bareNewlineIsMalformed() {
            assertMalformed(UpstreamReply.STATS, "STAT pid 1\nEND\r\n", "not ended by \\r\\n");
        }

        @Test
        void overTheLimitIsMalformed() {
            assertThatThrownBy(() -> frame(UpstreamReply.STATS, STATS.substring(0, 30), 20))
                    .isInstanceOf(MalformedReplyException.class)
                    .hasMessageContaining("limit of 20 bytes");
        }
    }
}
