package io.memgrate.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;

/** A refused setting stops the real application before anything listens or polls, with only the lines that name it. */
@QuarkusMainTest
@TestProfile(StartupRefusalTest.ListenerTlsWithoutFiles.class)
class StartupRefusalTest {

    public static class ListenerTlsWithoutFiles implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // an upstream that refuses at once: a poller started before the refusal fails while the application stops
            return Map.of("memgrate.primary.endpoint", "127.0.0.1:1", "memgrate.listen.port", "0",
                    "memgrate.tls.enabled", "true", "memgrate.version-offset", "-1",
                    "memgrate.migration.autopilot.enabled", "true", "memgrate.migration.autopilot.window", "2am-6am");
        }
    }

    @Test
    @Launch(value = {}, exitCode = 1)
    void refusedSettingsAreNamedOnePerLineAndNothingStarts(LaunchResult result) {
        assertThat(result.getErrorOutput()).isEqualTo(String.join("\n",
                "memgrate.migration.autopilot.window=2am-6am is refused: write it as HH:MM-HH:MM in UTC, e.g. 02:00-06:00",
                "memgrate.migration.autopilot.enabled=true is refused: set memgrate.migration.client-hashing to the scheme"
                        + " your clients use (array-mod-native, ketama-aws-java, ketama-xmemcached, ketama-libmemcached),"
                        + " so it knows the gentlest step",
                "memgrate.migration.autopilot.enabled=true is refused: set memgrate.migration.plan-file, the plan it writes"
                        + " each step into",
                "memgrate.version-offset=-1 is refused: use 0-2147483647 (served versions never go down, and clients"
                        + " read them as signed 32-bit integers)",
                "memgrate.tls.certificate-file is required when memgrate.tls.enabled is true: the path of a PEM"
                        + " certificate file",
                "memgrate.tls.key-file is required when memgrate.tls.enabled is true: the path of a PEM private key"
                        + " file"));
        assertThat(result.getOutput()).doesNotContain("Polling", "Exception", "\tat ");
    }
}
