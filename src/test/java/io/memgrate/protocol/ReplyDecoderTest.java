package io.memgrate.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.memgrate.protocol.Decoding.Shape;

/** Where each shape of reply ends, and which bytes are refused, byte for byte. */
class ReplyDecoderTest {

    private static final int MAX = Decoding.MAX;

    /** 45 payload bytes: "12\n" (3) + "a.example|10.0.0.1|11211" (24) + " " (1) + "b.example||11212" (16) + "\n" (1). */
    private static final String PAYLOAD = "12\na.example|10.0.0.1|11211 b.example||11212\n";
    private static final String CONFIG_REPLY = "CONFIG cluster 0 45\r\n" + PAYLOAD + "\r\nEND\r\n";
    private static final String VALUE_REPLY = "VALUE AmazonElastiCache:cluster 0 45\r\n" + PAYLOAD + "\r\nEND\r\n";

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static int frame(Shape shape, String data) {
        return frame(shape, data, MAX);
    }

    private static int frame(Shape shape, String data, int maxBytes) {
        byte[] bytes = ascii(data);
        return completeLength(shape, bytes, bytes.length, maxBytes);
    }

    /** The length of the first reply in {@code data[0, length)}, or -1 while more bytes are needed. */
    private static int completeLength(Shape shape, byte[] data, int length, int maxBytes) {
        return Decoding.framed(shape.decoder(), data, length, maxBytes);
    }

    private static void assertMalformed(Shape shape, String data, String messageFragment) {
        assertThatThrownBy(() -> frame(shape, data))
                .isInstanceOf(MalformedReplyException.class)
                .hasMessageContaining(messageFragment);
    }

    @Nested
    class Config {

        @Test
        void completeConfigReplyReturnsItsFullLength() {
            assertThat(frame(Shape.CONFIG, CONFIG_REPLY)).isEqualTo(CONFIG_REPLY.length());
        }

        @Test
        void completeValueReplyReturnsItsFullLength() {
            assertThat(frame(Shape.CONFIG, VALUE_REPLY)).isEqualTo(VALUE_REPLY.length());
        }

        @Test
        void everyStrictPrefixNeedsMoreBytes() {
            byte[] bytes = ascii(CONFIG_REPLY);
            for (int length = 0; length < bytes.length; length++) {
                assertThat(completeLength(Shape.CONFIG, bytes, length, MAX))
                        .as("prefix of %d bytes", length)
                        .isEqualTo(-1);
            }
        }

        @Test
        void lengthArgumentIsHonouredEvenWhenTheArrayHoldsMore() {
            byte[] buffer = new byte[4096];
            byte[] reply = ascii(CONFIG_REPLY);
            System.arraycopy(reply, 0, buffer, 0, reply.length);

            assertThat(completeLength(Shape.CONFIG, buffer, reply.length - 1, MAX)).isEqualTo(-1);
            assertThat(completeLength(Shape.CONFIG, buffer, reply.length, MAX)).isEqualTo(reply.length);
        }

        @Test
        void pipelinedRepliesReturnOnlyTheFirstLength() {
            assertThat(frame(Shape.CONFIG, CONFIG_REPLY + CONFIG_REPLY)).isEqualTo(CONFIG_REPLY.length());
            assertThat(frame(Shape.CONFIG, CONFIG_REPLY + "CONF")).isEqualTo(CONFIG_REPLY.length());
        }

        @ParameterizedTest
        @ValueSource(strings = {"ERROR", "SERVER_ERROR x", "CLIENT_ERROR bad command line format", "END"})
        void errorAndEndLinesAreCompleteAfterTheirLine(String line) {
            assertThat(frame(Shape.CONFIG, line + "\r\n")).isEqualTo(line.length() + 2);
            assertThat(frame(Shape.CONFIG, line + "\r\n" + CONFIG_REPLY)).isEqualTo(line.length() + 2);
        }

        @Test
        void byteCountTooSmallIsMalformed() {
            assertMalformed(Shape.CONFIG, "CONFIG cluster 0 44\r\n" + PAYLOAD + "\r\nEND\r\n",
                    "not followed by \\r\\nEND\\r\\n");
        }

        @Test
        void byteCountTooLargeWithFollowingBytesIsMalformed() {
            assertMalformed(Shape.CONFIG, "CONFIG cluster 0 47\r\n" + PAYLOAD + "\r\nEND\r\n" + CONFIG_REPLY,
                    "not followed by \\r\\nEND\\r\\n");
        }

        @Test
        void byteCountTooLargeWithoutFollowingBytesWaits() {
            assertThat(frame(Shape.CONFIG, "CONFIG cluster 0 47\r\n" + PAYLOAD + "\r\nEND\r\n")).isEqualTo(-1);
        }

        @Test
        void missingEndIsMalformed() {
            assertMalformed(Shape.CONFIG, "CONFIG cluster 0 45\r\n" + PAYLOAD + "\r\n" + CONFIG_REPLY,
                    "missing END");
        }

        @ParameterizedTest
        @ValueSource(strings = {"STORED", "VERSION 1.6.22", "OK", "config cluster 0 45"})
        void headerThatIsNeitherConfigNorValueIsMalformed(String header) {
            assertMalformed(Shape.CONFIG, header + "\r\n" + PAYLOAD + "\r\nEND\r\n", "unexpected reply line");
        }

        @ParameterizedTest
        @ValueSource(strings = {"CONFIG other 0 45", "CONFIG cluster 0", "CONFIG cluster 0 45 x",
                "VALUE otherkey 0 45", "CONFIG  cluster 0 45"})
        void configOrValueHeaderOfWrongShapeIsMalformed(String header) {
            assertMalformed(Shape.CONFIG, header + "\r\n" + PAYLOAD + "\r\nEND\r\n", "unexpected header");
        }

        @ParameterizedTest
        @ValueSource(strings = {"4x", "-45", "+45", "1234567890"})
        void nonNumericByteCountIsMalformed(String count) {
            assertMalformed(Shape.CONFIG, "CONFIG cluster 0 " + count + "\r\n" + PAYLOAD + "\r\nEND\r\n",
                    "is not a number");
        }

        @Test
        void headerEndedByBareNewlineIsMalformed() {
            assertMalformed(Shape.CONFIG, "CONFIG cluster 0 45\n" + PAYLOAD + "\r\nEND\r\n",
                    "not ended by \\r\\n");
        }

        @Test
        void errorLineEndedByBareNewlineIsMalformed() {
            assertMalformed(Shape.CONFIG, "ERROR\n", "not ended by \\r\\n");
        }

        @Test
        void incompleteReplyOverTheLimitIsMalformed() {
            // 30 bytes of an unfinished reply against a 20-byte limit
            assertThatThrownBy(() -> frame(Shape.CONFIG, CONFIG_REPLY.substring(0, 30), 20))
                    .isInstanceOf(MalformedReplyException.class)
                    .hasMessageContaining("limit of 20 bytes");
        }

        @Test
        void completeReplyOverTheLimitIsMalformed() {
            assertThatThrownBy(() -> frame(Shape.CONFIG, CONFIG_REPLY, CONFIG_REPLY.length() - 10))
                    .isInstanceOf(MalformedReplyException.class)
                    .hasMessageContaining("limit of " + (CONFIG_REPLY.length() - 10) + " bytes");
        }

        @Test
        void completeReplyOneByteOverTheLimitIsMalformed() {
            int limit = CONFIG_REPLY.length() - 1;
            assertThatThrownBy(() -> frame(Shape.CONFIG, CONFIG_REPLY, limit))
                    .isInstanceOf(MalformedReplyException.class)
                    .hasMessageContaining("limit of " + limit + " bytes");
        }

        @Test
        void replyOfExactlyTheLimitIsAccepted() {
            assertThat(frame(Shape.CONFIG, CONFIG_REPLY, CONFIG_REPLY.length())).isEqualTo(CONFIG_REPLY.length());
        }

        @Test
        void replyWithinTheLimitFollowedByMoreBytesIsAccepted() {
            String data = CONFIG_REPLY + CONFIG_REPLY;
            assertThat(frame(Shape.CONFIG, data, CONFIG_REPLY.length() + 5)).isEqualTo(CONFIG_REPLY.length());
        }
    }

    @Nested
    class Version {

        @Test
        void oneLineIsComplete() {
            assertThat(frame(Shape.VERSION, "VERSION 1.6.22\r\n")).isEqualTo(16);
        }

        @Test
        void onlyTheFirstLineIsTaken() {
            assertThat(frame(Shape.VERSION, "VERSION 1.6.22\r\nVERSION 1.6.22\r\n")).isEqualTo(16);
        }

        @Test
        void prefixesNeedMoreBytes() {
            assertThat(frame(Shape.VERSION, "")).isEqualTo(-1);
            assertThat(frame(Shape.VERSION, "VERSION 1.6")).isEqualTo(-1);
            assertThat(frame(Shape.VERSION, "VERSION 1.6.22\r")).isEqualTo(-1);
        }

        @Test
        void bareNewlineIsMalformed() {
            assertMalformed(Shape.VERSION, "VERSION 1.6.22\n", "not ended by \\r\\n");
        }

        @Test
        void lineOverTheLimitIsMalformed() {
            assertThatThrownBy(() -> frame(Shape.VERSION, "VERSION 1.6.22\r\n", 8))
                    .isInstanceOf(MalformedReplyException.class)
                    .hasMessageContaining("limit of 8 bytes");
        }

        @Test
        void lineOneByteOverTheLimitIsMalformed() {
            assertThatThrownBy(() -> frame(Shape.VERSION, "VERSION 1.6.22\r\n", 15))
                    .isInstanceOf(MalformedReplyException.class)
                    .hasMessageContaining("limit of 15 bytes");
        }
    }

    @Nested
    class Stats {

        private static final String STATS = "STAT pid 1\r\nSTAT uptime 42\r\nSTAT version 1.6.22\r\nEND\r\n";

        @Test
        void statLinesUpToEndAreOneReply() {
            assertThat(frame(Shape.STATS, STATS)).isEqualTo(STATS.length());
        }

        @Test
        void pipelinedStatsReturnOnlyTheFirst() {
            assertThat(frame(Shape.STATS, STATS + STATS)).isEqualTo(STATS.length());
        }

        @ParameterizedTest
        @ValueSource(strings = {"END", "RESET", "OK", "ERROR", "SERVER_ERROR busy", "CLIENT_ERROR bad"})
        void terminatingLinesEndTheReply(String terminator) {
            assertThat(frame(Shape.STATS, terminator + "\r\n")).isEqualTo(terminator.length() + 2);
            assertThat(frame(Shape.STATS, "STAT a 1\r\n" + terminator + "\r\n"))
                    .isEqualTo("STAT a 1\r\n".length() + terminator.length() + 2);
        }

        @Test
        void everyStrictPrefixNeedsMoreBytes() {
            byte[] bytes = ascii(STATS);
            for (int length = 0; length < bytes.length; length++) {
                assertThat(completeLength(Shape.STATS, bytes, length, MAX))
                        .as("prefix of %d bytes", length)
                        .isEqualTo(-1);
            }
        }

        @Test
        void bareNewlineIsMalformed() {
            assertMalformed(Shape.STATS, "STAT pid 1\nEND\r\n", "not ended by \\r\\n");
        }

        @Test
        void overTheLimitIsMalformed() {
            assertThatThrownBy(() -> frame(Shape.STATS, STATS.substring(0, 30), 20))
                    .isInstanceOf(MalformedReplyException.class)
                    .hasMessageContaining("limit of 20 bytes");
        }
    }
}
