package io.memgrate.protocol;

import static io.memgrate.protocol.Decoding.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** A cache node's answer to plain {@code stats}, read into its values: what is one, and what is refused. */
class StatValuesTest {

    private static final String REPLY = "STAT pid 1234\r\nSTAT uptime 42\r\nSTAT version 1.6.22\r\n"
            + "STAT libevent 2.1.12-stable\r\nSTAT cmd_get 18446744073\r\nSTAT rusage_user 0.123456\r\nEND\r\n";

    @Test
    void statLinesEndedByEndAreReadByName() {
        StatValues values = Decoding.whole(ReplyDecoder.statValues(), ascii(REPLY));

        assertThat(values.number("uptime")).isEqualTo(42);
        assertThat(values.number("cmd_get")).isEqualTo(18_446_744_073L);
    }

    @Test
    void aReplyInPiecesIsReadOnceWholeAndThePipelinedOneAfterItIsLeft() {
        ReplyDecoder<StatValues> decoder = ReplyDecoder.statValues();
        ByteBuf in = Unpooled.buffer();
        in.writeBytes(ascii(REPLY.substring(0, 20)));
        assertThat(decoder.decode(in, Decoding.MAX)).isNull();
        in.writeBytes(ascii(REPLY.substring(20) + "STAT pid 1\r\n"));

        assertThat(decoder.decode(in, Decoding.MAX).number("uptime")).isEqualTo(42);
        assertThat(in.readableBytes()).isEqualTo("STAT pid 1\r\n".length());
    }

    @Test
    void aValueMissingOrNotANumberIsRefusedNamingIt() {
        StatValues values = Decoding.whole(ReplyDecoder.statValues(), ascii(REPLY));

        assertThatThrownBy(() -> values.number("get_hits")).isInstanceOf(MalformedReplyException.class)
                .hasMessage("stats lacks STAT get_hits");
        assertThatThrownBy(() -> values.number("rusage_user")).isInstanceOf(MalformedReplyException.class)
                .hasMessage("STAT rusage_user is not a number below 10^18: 0.123456");
        assertThatThrownBy(() -> values.number("version")).isInstanceOf(MalformedReplyException.class);
    }

    @Test
    void anErrorLineOrAnotherShapeIsMalformedContentAndTheConnectionStaysInStep() {
        for (String garbage : new String[] {"SERVER_ERROR out of memory\r\n", "ERROR\r\n",
                "STAT uptime 1\r\nHELLO there\r\nEND\r\n", "STAT uptime\r\nEND\r\n", "STAT uptime 1\r\nRESET\r\n"}) {
            ByteBuf in = Unpooled.wrappedBuffer(ascii(garbage + "STAT pid 1\r\nEND\r\n"));

            assertThatThrownBy(() -> ReplyDecoder.statValues().decode(in, Decoding.MAX)).as(garbage)
                    .isInstanceOf(MalformedContentException.class);
            assertThat(ReplyDecoder.statValues().decode(in, Decoding.MAX).number("pid")).as("the reply after " + garbage)
                    .isEqualTo(1);
        }
    }

    @Test
    void aReplyOverTheLimitIsRefusedBeforeItEnds() {
        ByteBuf in = Unpooled.wrappedBuffer(ascii("STAT filler " + "x".repeat(200) + "\r\n"));

        assertThatThrownBy(() -> ReplyDecoder.statValues().decode(in, 100)).isInstanceOf(MalformedReplyException.class)
                .isNotInstanceOf(MalformedContentException.class)
                .hasMessage("reply is larger than the limit of 100 bytes");
    }

    @Test
    void bytesThatAreNotLinesCannotBeFramed() {
        ByteBuf in = Unpooled.wrappedBuffer(ascii("STAT uptime 1\nEND\n"));

        assertThatThrownBy(() -> ReplyDecoder.statValues().decode(in, Decoding.MAX))
                .isInstanceOf(MalformedReplyException.class).isNotInstanceOf(MalformedContentException.class);
    }
}
