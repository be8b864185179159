package io.memgrate.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlanFileTest {

    @Test
    void readsRevisionAdmittedAndWithdrawnHosts() {
        MigrationPlan plan = PlanFile.parse("""
                revision: 4                 # raised by every change
                admit: [new-1.example, new-2.example]
                withdraw:
                  - old-3.example
                """);

        assertThat(plan).isEqualTo(new MigrationPlan(4, false, Set.of("new-1.example", "new-2.example"),
                Set.of("old-3.example")));
    }

    @Test
    void allAdmitsEverySecondaryNodeAndAbsentListsMeanNone() {
        assertThat(PlanFile.parse("revision: 1\nadmit: all\n")).isEqualTo(new MigrationPlan(1, true, Set.of(), Set.of()));
        assertThat(PlanFile.parse("revision: 0\n")).isEqualTo(new MigrationPlan(0, false, Set.of(), Set.of()));
        assertThat(PlanFile.parse("revision: 2\nadmit: []\nwithdraw: null\n"))
                .isEqualTo(new MigrationPlan(2, false, Set.of(), Set.of()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "revision: [1;                                   unparseable;  not valid YAML",
            "just text;                                      format;       the plan must be a map",
            "admit: all;                                     format;       revision is required",
            "revision: -1;                                   format;       revision '-1' is not an integer in 0-2147483647",
            "revision: 2147483648;                           format;       revision '2147483648' is not an integer",
            "revision: 1.5;                                  format;       revision '1.5' is not an integer",
            "revision: '3';                                  format;       revision '3' is not an integer",
            "revision: 1\\nadmitt: [a];                       unknown-key;  unknown key 'admitt': a plan has only revision, admit and withdraw",
            "revision: 1\\nadmit: some;                       format;       admit must be a list of host names or \"all\"",
            "revision: 1\\nwithdraw: all;                     format;       withdraw must be a list of host names, as",
            "revision: 1\\nadmit: [a.example|10.0.0.1|11211]; format;       admit lists 'a.example|10.0.0.1|11211', which is not a host name",
            "revision: 1\\nwithdraw: [{a: b}];                format;       withdraw lists '', which is not a host name",
            "revision: 5\\nrevision: 6;                     duplicate-key; the key 'revision' is given twice: give each key once",
            "revision: 5\\nadmit: [a]\\nadmit: [b];          duplicate-key; the key 'admit' is given twice"})
    void aMistakeRefusesTheWholePlanSayingWhat(String yaml, String reason, String message) {
        assertThatThrownBy(() -> PlanFile.parse(yaml.replace("\\n", "\n")))
                .isInstanceOfSatisfying(PlanRefusedException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', quoteCharacter = '`', value = {
            "admit: ['n\u00f6d\u00e9.example'];  admit lists 'n\\xf6d\\xe9.example', which is not a host name: character '\\xf6' at 1",
            "admit: [\"a\\x1b[31mb.example\"];  admit lists 'a\\x1b[31mb.example', which is not a host name: character '\\x1b' at 1",
            "withdraw: [\"a\\tb\"];             withdraw lists 'a\\x09b', which is not a host name: character '\\x09' at 1",
            "withdraw: [a.example.];            withdraw lists 'a.example.', which is not a host name: it ends with a dot",
            "withdraw: [-a.example];            label '-a' starts or ends with a hyphen",
            "\"\\e[2J\": 1;                       unknown key '\\x1b[2J': a plan has only revision, admit and withdraw"})
    void aHostThatIsNotADnsNameRefusesThePlanNamingItEscaped(String yaml, String message) {
        assertThatThrownBy(() -> PlanFile.parse("revision: 1\n" + yaml))
                .isInstanceOf(PlanRefusedException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).matches("[\\x20-\\x7e]*"));
    }

    @Test
    void elastiCacheHostNamesAreAccepted() {
        assertThat(PlanFile.parse("revision: 1\nadmit: [name.xxxxxx.0001.use1.cache.amazonaws.com]\n").admit())
                .containsExactly("name.xxxxxx.0001.use1.cache.amazonaws.com");
    }
}
