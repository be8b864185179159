package io.memgrate.protocol;

import static io.memgrate.protocol.Decoding.MAX;
import static io.memgrate.protocol.Decoding.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.memgrate.cluster.Node;
import io.memgrate.cluster.Topology;
import io.memgrate.protocol.Decoding.Shape;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Replies as they arrive from a socket: split anywhere, pipelined several to a read, and large ones in many reads,
 * which must be scanned once, not again from their first byte on every read.
 */
class IncrementalDecodingTest {

    private static final String PAYLOAD = "12\na.example|10.0.0.1|11211 b.example||11212\n";
    private static final String CONFIG_REPLY = "CONFIG cluster 0 45\r\n" + PAYLOAD + "\r\nEND\r\n";
    private static final String STATS_REPLY = "STAT pid 1\r\nSTAT uptime 42\r\nSTAT version 1.6.22\r\nEND\r\n";
    /** Bytes of an earlier reply, consumed already: decoders must work from the reader index. */
    private static final byte[] CONSUMED = ascii("OK\r\n");

    static Stream<Arguments> replies() {
        return Stream.of(
                Arguments.of(Shape.CONFIG, CONFIG_REPLY),
                Arguments.of(Shape.CONFIG, "VALUE AmazonElastiCache:cluster 0 45\r\n" + PAYLOAD + "\r\nEND\r\n"),
                Arguments.of(Shape.CONFIG, "ERROR\r\n"),
                Arguments.of(Shape.CONFIG, "SERVER_ERROR busy\r\n"),
                Arguments.of(Shape.CONFIG, "END\r\n"),
                Arguments.of(Shape.VERSION, "VERSION 1.6.22\r\n"),
                Arguments.of(Shape.STATS, STATS_REPLY),
                Arguments.of(Shape.STATS, "STAT a 1\r\nRESET\r\n"),
                Arguments.of(Shape.STATS, "SERVER_ERROR busy\r\n"));
    }

    /** Malformed replies of every kind: each must fail with the same reason and message however it arrives. */
    static Stream<Arguments> malformedReplies() {
        return Stream.of(
                Arguments.of(Shape.CONFIG, "CONFIG cluster 0 44\r\n" + PAYLOAD + "\r\nEND\r\n"),
                Arguments.of(Shape.CONFIG, "CONFIG cluster 0 45\r\n" + PAYLOAD + "\r\nEMD\r\n"),
                Arguments.of(Shape.CONFIG, "STORED\r\n"),
                Arguments.of(Shape.CONFIG, "CONFIG cluster 0 x\r\n"),
                Arguments.of(Shape.CONFIG, "CONFIG other 0 45\r\n"),
                Arguments.of(Shape.CONFIG, "CONFIG cluster 0 45\n"),
                Arguments.of(Shape.CONFIG, "CONFIG cluster 0 4\r\n12\n\n\r\nEND\r\n"),
                Arguments.of(Shape.CONFIG, "CONFIG cluster 0 12\r\n4\nx.test|1|\n\r\nEND\r\n"),
                Arguments.of(Shape.VERSION, "VERSION 1.6.22\n"),
                Arguments.of(Shape.VERSION, "VERSION 1.6 22\r\n"),
                Arguments.of(Shape.STATS, "STAT pid 1\r\n\nEND\r\n"),
                Arguments.of(Shape.STATS, "STAT pid 1\r\nEND\n"));
    }

    @ParameterizedTest
    @MethodSource("replies")
    void aReplySplitAtEveryOffsetDecodesAsTheWhole(Shape shape, String text) {
        byte[] reply = ascii(text);
        Object whole = Decoding.whole(shape.decoder(), reply);
        for (int split = 0; split < reply.length; split++) {
            ByteBuf in = Unpooled.buffer().writeBytes(CONSUMED).writeBytes(reply, 0, split);
            in.readerIndex(CONSUMED.length);
            ReplyDecoder<?> decoder = shape.decoder();
            assertThat(decoder.decode(in, MAX)).as("first %d bytes", split).isNull();
            assertThat(in.readerIndex()).as("nothing consumed while incomplete").isEqualTo(CONSUMED.length);
            in.discardReadBytes(); // as the connection compacts its bytes between reads
            in.writeBytes(reply, split, reply.length - split);
            assertThat(decoder.decode(in, MAX)).as("split after %d bytes", split).isEqualTo(whole);
            assertThat(in.isReadable()).isFalse();
        }
    }

    @ParameterizedTest
    @MethodSource("replies")
    void aReplyArrivingByteByByteDecodesAsTheWhole(Shape shape, String text) {
        byte[] reply = ascii(text);
        ReplyDecoder<?> decoder = shape.decoder();
        ByteBuf in = Unpooled.buffer();
        for (int i = 0; i < reply.length - 1; i++) {
            assertThat(decoder.decode(in.writeByte(reply[i]), MAX)).as("after %d bytes", i + 1).isNull();
        }
        assertThat(decoder.decode(in.writeByte(reply[reply.length - 1]), MAX)).isEqualTo(Decoding.whole(shape.decoder(), reply));
        assertThat(in.isReadable()).isFalse();
    }

    @ParameterizedTest
    @MethodSource("malformedReplies")
    void aMalformedReplyFailsTheSameWholeOrByteByByte(Shape shape, String text) {
        byte[] reply = ascii(text);
        MalformedReplyException whole = catchThrowableOfType(MalformedReplyException.class,
                () -> shape.decoder().decode(Unpooled.wrappedBuffer(reply), MAX));
        assertThat(whole).as("decoding %s", text).isNotNull();
        ReplyDecoder<?> decoder = shape.decoder();
        ByteBuf in = Unpooled.buffer();
        MalformedReplyException split = catchThrowableOfType(MalformedReplyException.class, () -> {
            for (byte b : reply) {
                decoder.decode(in.writeByte(b), MAX);
            }
        });
        assertThat(split).isNotNull().hasSameClassAs(whole).hasMessage(whole.getMessage());
        assertThat(split.reason()).isEqualTo(whole.reason());
    }

    @Test
    void pipelinedRepliesInOneReadDecodeOneAfterTheOther() {
        ByteBuf in = Unpooled.wrappedBuffer(ascii(CONFIG_REPLY + "VERSION 1.6.22\r\n" + STATS_REPLY + "ERROR\r\n" + "VERS"));

        assertThat(ReplyDecoder.config().decode(in, MAX)).isEqualTo(Decoding.whole(ReplyDecoder.config(), ascii(CONFIG_REPLY)));
        assertThat(ReplyDecoder.version().decode(in, MAX)).isEqualTo("1.6.22");
        assertThat(ReplyDecoder.stats().decode(in, MAX)).isEqualTo(ascii(STATS_REPLY));
        assertThat(ReplyDecoder.config().decode(in, MAX)).isEqualTo(new ConfigAnswer.UnknownCommand());
        assertThat(ReplyDecoder.version().decode(in, MAX)).isNull();
        assertThat(in.readableBytes()).as("the start of the next reply stays").isEqualTo(4);
    }

    @Test
    void aWholeReplyWithMalformedContentIsConsumedSoTheNextOneIsInStep() {
        ByteBuf in = Unpooled.wrappedBuffer(ascii("CONFIG cluster 0 12\r\n4\nx.test|1|\n\r\nEND\r\nVERSION 1.6 22\r\nVERSION 1.6.22\r\n"));

        assertThatThrownBy(() -> ReplyDecoder.config().decode(in, MAX))
                .isInstanceOf(MalformedContentException.class)
                .hasMessage("node entry 'x.test|1|' has no numeric port");
        assertThatThrownBy(() -> ReplyDecoder.version().decode(in, MAX))
                .isInstanceOf(MalformedContentException.class)
                .hasMessage("version answer 'VERSION 1.6 22' is not 'VERSION <x.y.z>'");
        assertThat(ReplyDecoder.version().decode(in, MAX)).isEqualTo("1.6.22");
    }

    @Test
    void aFramingErrorIsNotMalformedContent() {
        assertThatThrownBy(() -> ReplyDecoder.config().decode(Unpooled.wrappedBuffer(ascii("CONFIG cluster 0 44\r\n" + PAYLOAD + "\r\nEND\r\n")), MAX))
                .isInstanceOf(MalformedReplyException.class)
                .isNotInstanceOf(MalformedContentException.class);
    }

    @Test
    void aReplyOverTheLimitIsRefusedAsSoonAsMoreThanTheLimitHasArrived() {
        byte[] reply = ascii(STATS_REPLY);
        int limit = 20;
        ReplyDecoder<byte[]> decoder = ReplyDecoder.stats();
        ByteBuf in = Unpooled.buffer();
        for (int i = 0; i < limit; i++) {
            assertThat(decoder.decode(in.writeByte(reply[i]), limit)).isNull();
        }
        assertThatThrownBy(() -> decoder.decode(in.writeByte(reply[limit]), limit))
                .isInstanceOf(MalformedReplyException.class)
                .hasMessage("reply is larger than the limit of 20 bytes");
    }

    @Test
    void aOneMebibyteStatsReplyInOneKibibyteReadsIsScannedOnce() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 1 << 20; i++) {
            text.append("STAT item_").append(i).append(" ").append(i * 7919L).append("\r\n");
        }
        byte[] reply = ascii(text.append("END\r\n").toString());

        assertThat(decodeInReadsOf(1024, ReplyDecoder.stats(), reply)).isEqualTo(reply);
    }

    @Test
    void aOneMebibyteConfigReplyInOneKibibyteReadsIsScannedOnce() {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; nodes.size() * 28 < 1 << 20; i++) {
            nodes.add(new Node("node-" + i + ".example", "10.0.0.1", 11211));
        }
        Topology topology = new Topology(7, nodes);
        byte[] reply = Replies.config(topology);

        assertThat(decodeInReadsOf(1024, ReplyDecoder.config(), reply)).isEqualTo(new ConfigAnswer.Found(topology));
    }

    /**
     * Feeds {@code reply} to {@code decoder} a read of {@code readSize} bytes at a time and checks it reads each byte
     * a bounded number of times (the line end search, then the line's text or the payload copy); scanning again from
     * the start on every read would read about {@code n * n / (2 * readSize)} bytes.
     */
    private static <T> T decodeInReadsOf(int readSize, ReplyDecoder<T> decoder, byte[] reply) {
        CountingByteBuf in = new CountingByteBuf();
        int limit = 2 << 20;
        for (int from = 0; from < reply.length - readSize; from += readSize) {
            assertThat(decoder.decode(in.writeBytes(reply, from, readSize), limit)).isNull();
        }
        int rest = reply.length - in.writerIndex();
        T value = decoder.decode(in.writeBytes(reply, in.writerIndex(), rest), limit);
        assertThat(value).isNotNull();
        assertThat(in.examined()).as("bytes read to decode a reply of %d", reply.length).isLessThanOrEqualTo(3L * reply.length);
        return value;
    }
}
