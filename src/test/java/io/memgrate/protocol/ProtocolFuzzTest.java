package io.memgrate.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.stream.IntStream;

import io.memgrate.cluster.Node;
import io.memgrate.cluster.Topology;
import io.memgrate.protocol.Decoding.Shape;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Property-based fuzzing of the client command parser and the upstream reply parser: no exception but the defined
 * one escapes, framing never reads past the input or the size limit, and format/parse round trips are stable.
 * {@code -Djqwik.tries.default=N} runs longer (README, Hardening).
 */
class ProtocolFuzzTest {

    private static final int LIMIT = 4096;

    @Property
    void clientCommandParserClassifiesAnyLine(@ForAll @Size(max = 300) byte[] line) {
        ClientCommand command = ClientCommand.parse(line);
        assertThat(command.kind()).isNotNull();
    }

    @Property
    void clientCommandParserOnTextLikeLines(@ForAll("commandish") String line) {
        ClientCommand command = ClientCommand.parse(line.getBytes(StandardCharsets.ISO_8859_1));
        if (command.kind() == ClientCommand.Kind.CONFIG_GET_CLUSTER) {
            assertThat(line.trim().split(" +")).containsExactly("config", "get", "cluster");
        }
    }

    @Property
    void framingAndParsingAnyBytesOnlyEverFailWithTheDefinedException(@ForAll @Size(max = 600) byte[] data,
            @ForAll Shape shape) {
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
    }

    @Property
    void framingNeverWaitsPastTheSizeLimit(@ForAll @Size(max = 400) byte[] data, @ForAll Shape shape,
            @ForAll @IntRange(min = 1, max = 200) int limit) {
        try {
            int length = Decoding.framed(shape.decoder(), data, data.length, limit);
            assertThat(length).isLessThanOrEqualTo(limit);
            if (length < 0) {
                assertThat(data.length).as("waiting for more bytes only while under the limit").isLessThanOrEqualTo(limit);
            }
        } catch (MalformedReplyException expected) {
            assertThat(expected.reason()).isNotBlank();
        }
    }

    @Property
    void mutatedValidRepliesOnlyEverFailWithTheDefinedException(@ForAll("configs") Topology config,
            @ForAll @IntRange(min = 0, max = 10_000) int position, @ForAll byte replacement) {
        byte[] reply = Replies.config(config);
        reply[position % reply.length] = replacement;
        try {
            ReplyDecoder.config().decode(Unpooled.wrappedBuffer(reply), LIMIT);
        } catch (MalformedReplyException expected) {
            assertThat(expected.reason()).isNotBlank();
        }
    }

    @Property
    void formatThenParseIsTheIdentity(@ForAll("configs") Topology config, @ForAll boolean legacy) {
        byte[] reply = legacy ? Replies.legacyConfig(config) : Replies.config(config);
        ByteBuf in = Unpooled.wrappedBuffer(reply);
        ConfigAnswer answer = ReplyDecoder.config().decode(in, LIMIT);
        assertThat(in.readerIndex()).isEqualTo(reply.length);
        assertThat(answer).isEqualTo(new ConfigAnswer.Found(config));
        // and formatting the parsed value again gives the same bytes
        assertThat(Replies.config(((ConfigAnswer.Found) answer).config())).isEqualTo(Replies.config(config));
    }

    @Property
    void everyPrefixOfAValidReplyNeedsMoreBytes(@ForAll("configs") Topology config, @ForAll @IntRange(min = 0, max = 10_000) int cut) {
        byte[] reply = Replies.config(config);
        int prefix = cut % reply.length;
        assertThat(Decoding.framed(ReplyDecoder.config(), reply, prefix, LIMIT)).isEqualTo(-1);
    }

    @Property
    void aValidReplyCutAnywhereDecodesAsTheWhole(@ForAll("configs") Topology config, @ForAll boolean legacy,
            @ForAll @IntRange(min = 0, max = 10_000) int first, @ForAll @IntRange(min = 0, max = 10_000) int second) {
        byte[] reply = legacy ? Replies.legacyConfig(config) : Replies.config(config);
        int a = first % (reply.length + 1);
        int b = second % (reply.length + 1);
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
    }

    @Provide
    Arbitrary<String> commandish() {
        Arbitrary<String> words = Arbitraries.of("config", "get", "cluster", "AmazonElastiCache:cluster", "version",
                "stats", "quit", "set", "", " ", "\r");
        return words.list().ofMaxSize(5).map(list -> String.join(" ", list));
    }

    @Provide
    Arbitrary<Topology> configs() {
        Arbitrary<String> label = Combinators.combine(Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789")
                .ofLength(1), Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789-").ofMaxLength(10))
                .as((head, rest) -> rest.endsWith("-") ? head + rest + head : head + rest);
        Arbitrary<String> host = label.list().ofMinSize(1).ofMaxSize(4).map(labels -> String.join(".", labels));
        Arbitrary<String> ip = Arbitraries.oneOf(Arbitraries.just(""),
                Arbitraries.integers().between(0, 255).list().ofSize(4).map(parts -> String.join(".",
                        parts.stream().map(String::valueOf).toList())));
        Arbitrary<Node> node = Combinators.combine(host, ip, Arbitraries.integers().between(1, 65535)).as(Node::new);
        return Combinators.combine(Arbitraries.longs().between(0, Topology.MAX_VERSION), node.list().ofMinSize(1).ofMaxSize(20))
                .as((version, nodes) -> new Topology(version, new ArrayList<>(nodes)));
    }
}
