package io.memgrate.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.memgrate.protocol.MalformedContentException;
import io.memgrate.protocol.ReplyDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vertx.core.buffer.Buffer;

/** The connection's decoder in a Netty pipeline of its own: requests paired with their replies, and the reply limit. */
class ReplyCodecTest {

    @Test
    void eachRequestIsWrittenAsItsBytesAndItsReplyReadWithItsDecoderInOrder() {
        EmbeddedChannel channel = new EmbeddedChannel(new ReplyCodec(1024));
        channel.writeOutbound(new ReplyCodec.Request(Buffer.buffer("version\r\n"), ReplyDecoder.version()),
                new ReplyCodec.Request(Buffer.buffer("stats\r\n"), ReplyDecoder.stats()));
        assertThat(text(channel.readOutbound())).isEqualTo("version\r\n");
        assertThat(text(channel.readOutbound())).isEqualTo("stats\r\n");

        channel.writeInbound(ascii("VERSION 1."));
        assertThat((Object) channel.readInbound()).as("half a reply").isNull();
        channel.writeInbound(ascii("6.22\r\nSTAT pid 1\r\nEND\r\n"));
        assertThat((Object) channel.readInbound()).isEqualTo("1.6.22");
        assertThat((byte[]) channel.readInbound()).isEqualTo("STAT pid 1\r\nEND\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aWholeReplyThatSaysSomethingInvalidFailsAloneAndTheNextIsStillRead() {
        EmbeddedChannel channel = new EmbeddedChannel(new ReplyCodec(1024));
        channel.writeOutbound(new ReplyCodec.Request(Buffer.buffer("version\r\n"), ReplyDecoder.version()),
                new ReplyCodec.Request(Buffer.buffer("version\r\n"), ReplyDecoder.version()));
        channel.writeInbound(ascii("VERSION ?\r\nVERSION 1.6.22\r\n"));

        assertThat((Object) channel.readInbound()).isInstanceOf(MalformedContentException.class);
        assertThat((Object) channel.readInbound()).isEqualTo("1.6.22");
        channel.finishAndReleaseAll();
    }

    @Test
    void aReplyOverTheLimitIsRefusedAsItStreamsInAndNothingAfterItIsKept() {
        int limit = 1000;
        int readSize = 64;
        EmbeddedChannel channel = new EmbeddedChannel(new ReplyCodec(limit));
        channel.writeOutbound(new ReplyCodec.Request(Buffer.buffer("stats\r\n"), ReplyDecoder.stats()));
        assertThat(text(channel.readOutbound())).isEqualTo("stats\r\n");
        int sent = 0;
        Object refusal = null;
        while (refusal == null) {
            channel.writeInbound(ascii("STAT x " + "1".repeat(readSize - 9) + "\r\n"));
            sent += readSize;
            refusal = channel.readInbound();
        }

        assertThat(sent).as("bytes read before the refusal").isGreaterThan(limit).isLessThanOrEqualTo(limit + readSize);
        assertThat(refusal).isInstanceOfSatisfying(UpstreamException.class, e -> {
            assertThat(e.reason()).isEqualTo("malformed-too-large");
            assertThat(e.getMessage()).isEqualTo("malformed reply: reply is larger than the limit of 1000 bytes");
        });
        ByteBuf more = ascii("END\r\n");
        channel.writeInbound(more);
        assertThat((Object) channel.readInbound()).as("after the refusal").isNull();
        assertThat(more.refCnt()).as("a read after the refusal is dropped, not kept").isZero();
        assertThat(channel.finish()).isFalse();
    }

    private static ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }

    private static String text(ByteBuf bytes) {
        try {
            return bytes.toString(StandardCharsets.US_ASCII);
        } finally {
            bytes.release();
        }
    }
}
