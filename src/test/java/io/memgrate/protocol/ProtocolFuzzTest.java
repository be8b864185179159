package io.memgrate.protocol;

import static io.memgrate.support.RandomTrials.check;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.memgrate.cluster.Node;
import io.memgrate.cluster.Topology;
import io.memgrate.protocol.Decoding.Shape;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Random-input fuzzing of the client command parser and the upstream reply parser: no exception but the defined one
 * escapes, framing never reads past the input or the size limit, and format/parse round trips are stable. Each
 * property runs {@link io.memgrate.support.RandomTrials#DEFAULT_TRIES} seeded tries; a failure names its seed
 * (docs/operations.md, Hardening).
 */
class ProtocolFuzzTest {

    private static final int LIMIT = 4096;
    /** Bytes that frame and fill replies, drawn often so random input reaches past the first check of a parser. */
    private static final byte[] PROTOCOL_BYTES = "\r\n\r\n  0123456789|.-CONFIGVALUESTATEND".getBytes(StandardCharsets.US_ASCII);
    private static final List<String> COMMAND_WORDS = List.of("config", "get", "cluster", "AmazonElastiCache:cluster",
            "version", "stats", "quit", "set", "", " ", "\r");
    private static final String HOST_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";

    @Test
    void clientCommandParserClassifiesAnyLine() {
        check("any line is classified", random -> {
            ClientCommand command = ClientCommand.parse(bytes(random, 300));
            assertThat(command.kind()).isNotNull();
        });
    }

    @Test
    void clientCommandParserOnTextLikeLines() {
        check("only `config get cluster` is that command", random -> {
            String line = commandish(random);
            ClientCommand command = ClientCommand.parse(line.getBytes(StandardCharsets.ISO_8859_1));
            if (command.kind() == ClientCommand.Kind.CONFIG_GET_CLUSTER) {
                assertThat(line.trim().split(" +")).as(line).containsExactly("config", "get", "cluster");
            }
        });
    }

    @Test
    void framingAndParsingAnyBytesOnlyEverFailWithTheDefinedException() {
        check("any bytes decode or fail as defined", random -> {
            byte[] data = bytes(random, 600);
            Shape shape = shape(random);
            try {
                ByteBuf in = Unpooled.wrappedBuffer(data);
                Object reply = shape.decoder().decode(in, LIMIT);
                int length = reply == null ? -1 : in.readerIndex();
                assertThat(length).isBetween(-1, data.length);
                assertThat(length).as("a decoded reply is not empty").isNotZero();
                if (reply == null) {
                    assertThat(in.readerIndex()).as("nothing consumed while incomplete").isZero();
                }
            } catch (MalformedReplyException expected) {
                assertThat(expected.reason()).isNotBlank();
            }
        });
    }

    @Test
    void framingNeverWaitsPastTheSizeLimit() {
        check("framing stops at the size limit", random -> {
            byte[] data = bytes(random, 400);
            Shape shape = shape(random);
            int limit = 1 + random.nextInt(200);
            try {
                int length = Decoding.framed(shape.decoder(), data, data.length, limit);
                assertThat(length).isLessThanOrEqualTo(limit);
                if (length < 0) {
                    assertThat(data.length).as("waiting for more bytes only while under the limit").isLessThanOrEqualTo(limit);
                }
            } catch (MalformedReplyException expected) {
                assertThat(expected.reason()).isNotBlank();
            }
        });
    }

    @Test
    void mutatedValidRepliesOnlyEverFailWithTheDefinedException() {
        check("a valid reply with changed bytes decodes or fails as defined", random -> {
            byte[] reply = Replies.config(topology(random));
            for (int changes = 1 + random.nextInt(3); changes > 0; changes--) {
                reply[random.nextInt(reply.length)] = randomByte(random);
            }
            try {
                ReplyDecoder.config().decode(Unpooled.wrappedBuffer(reply), LIMIT);
            } catch (MalformedReplyException expected) {
                assertThat(expected.reason()).isNotBlank();
            }
        });
    }

    @Test
    void formatThenParseIsTheIdentity() {
        check("format then parse gives the topology back", random -> {
            Topology config = topology(random);
            byte[] reply = random.nextBoolean() ? Replies.legacyConfig(config) : Replies.config(config);
            ByteBuf in = Unpooled.wrappedBuffer(reply);
            ConfigAnswer answer = ReplyDecoder.config().decode(in, LIMIT);
            assertThat(in.readerIndex()).isEqualTo(reply.length);
            assertThat(answer).isEqualTo(new ConfigAnswer.Found(config));
            // and formatting the parsed value again gives the same bytes
            assertThat(Replies.config(((ConfigAnswer.Found) answer).config())).isEqualTo(Replies.config(config));
        });
    }

    @Test
    void everyPrefixOfAValidReplyNeedsMoreBytes() {
        check("a cut reply waits for more bytes", random -> {
            byte[] reply = Replies.config(topology(random));
            int prefix = random.nextInt(reply.length);
            assertThat(Decoding.framed(ReplyDecoder.config(), reply, prefix, LIMIT)).isEqualTo(-1);
        });
    }

    @Test
    void aValidReplyCutAnywhereDecodesAsTheWhole() {
        check("a reply arriving in pieces decodes once, whole", random -> {
            Topology config = topology(random);
            byte[] reply = random.nextBoolean() ? Replies.legacyConfig(config) : Replies.config(config);
            int a = random.nextInt(reply.length + 1);
            int b = random.nextInt(reply.length + 1);
            ReplyDecoder<ConfigAnswer> decoder = ReplyDecoder.config();
            ByteBuf in = Unpooled.buffer();
            ConfigAnswer answer = null;
            for (int cut : IntStream.of(a, b, reply.length).sorted().distinct().toArray()) {
                answer = decoder.decode(in.writeBytes(reply, in.writerIndex(), cut - in.writerIndex()), LIMIT);
                if (cut < reply.length) {
                    assertThat(answer).as("decoded after %d of %d bytes", cut, reply.length).isNull();
                }
            }
            assertThat(answer).isEqualTo(new ConfigAnswer.Found(config));
            assertThat(in.isReadable()).isFalse();
        });
    }

    /** Up to {@code maxLength} bytes; the empty and the longest input come up often, as they hide most bugs. */
    private static byte[] bytes(Random random, int maxLength) {
        int roll = random.nextInt(10);
        int length = roll == 0 ? 0 : roll == 1 ? maxLength : random.nextInt(maxLength + 1);
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = randomByte(random);
        }
        return data;
    }

    /** Any byte, a protocol byte one time in three. */
    private static byte randomByte(Random random) {
        return random.nextInt(3) == 0 ? PROTOCOL_BYTES[random.nextInt(PROTOCOL_BYTES.length)] : (byte) random.nextInt(256);
    }

    private static Shape shape(Random random) {
        return Shape.values()[random.nextInt(Shape.values().length)];
    }

    private static String commandish(Random random) {
        List<String> words = new ArrayList<>();
        for (int count = random.nextInt(6); count > 0; count--) {
            words.add(COMMAND_WORDS.get(random.nextInt(COMMAND_WORDS.size())));
        }
        return String.join(" ", words);
    }

    /** A topology a cluster could list: 1 to 20 nodes with DNS-style names, an IP or none, any version. */
    private static Topology topology(Random random) {
        List<Node> nodes = new ArrayList<>();
        for (int count = 1 + random.nextInt(20); count > 0; count--) {
            nodes.add(new Node(host(random), ip(random), 1 + random.nextInt(65535)));
        }
        long version = random.nextInt(10) == 0 ? Topology.MAX_VERSION : random.nextLong(Topology.MAX_VERSION + 1);
        return new Topology(version, nodes);
    }

    private static String host(Random random) {
        List<String> labels = new ArrayList<>();
        for (int count = 1 + random.nextInt(4); count > 0; count--) {
            StringBuilder label = new StringBuilder().append(HOST_CHARS.charAt(random.nextInt(HOST_CHARS.length())));
            for (int length = random.nextInt(11); length > 0; length--) {
                label.append(random.nextInt(8) == 0 ? '-' : HOST_CHARS.charAt(random.nextInt(HOST_CHARS.length())));
            }
            if (label.charAt(label.length() - 1) == '-') {
                label.append(label.charAt(0));
            }
            labels.add(label.toString());
        }
        return String.join(".", labels);
    }

    private static String ip(Random random) {
        if (random.nextBoolean()) {
            return "";
        }
        return IntStream.range(0, 4).mapToObj(part -> String.valueOf(random.nextInt(256)))
                .reduce((left, right) -> left + "." + right).orElseThrow();
    }
}
