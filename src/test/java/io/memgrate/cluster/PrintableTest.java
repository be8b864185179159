package io.memgrate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrintableTest {

    @Test
    void escapesEveryCharacterButPrintableAscii() {
        assertThat(Printable.escape("\u001b[31mRED\u001b[0m|\t\u0000\u007f\r\n|n\u00f6d\u00e9|\u2028"))
                .isEqualTo("\\x1b[31mRED\\x1b[0m|\\x09\\x00\\x7f\\x0d\\x0a|n\\xf6d\\xe9|\\x{2028}");
    }

    @Test
    void leavesPrintableAsciiAloneSoEscapingTwiceChangesNothing() {
        String printable = " !\"#~ a.example|10.0.0.1|11211 \\x1b";
        assertThat(Printable.escape(printable)).isSameAs(printable);
        String once = Printable.escape("a\u001bb");
        assertThat(Printable.escape(once)).isEqualTo(once);
    }

    @Test
    void shortensBeforeEscaping() {
        assertThat(Printable.shortened("abc\u0001def", 4)).isEqualTo("abc\\x01...");
        assertThat(Printable.shortened("abcd", 4)).isEqualTo("abcd");
    }
}
