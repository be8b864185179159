package io.memgrate.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;

/** A TLS registry property of Memgrate's configurations that nothing would use stops the real application, named. */
@QuarkusMainTest
@TestProfile(TlsRegistryRefusalTest.UnusedRegistryProperties.class)
class TlsRegistryRefusalTest {

    public static class UnusedRegistryProperties implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // TLS off on both sides, yet settings for both: never silently without effect
            return Map.of("memgrate.primary.endpoint", "127.0.0.1:1", "memgrate.listen.port", "0",
                    "quarkus.tls.memgrate-listener.protocols", "TLSv1.3",
                    "quarkus.tls.memgrate-upstream.trust-all", "true");
        }
    }

    @Test
    @Launch(value = {}, exitCode = 1)
    void registryPropertiesOfSidesWithoutTlsAreNamedAndNothingStarts(LaunchResult result) {
        assertThat(result.getErrorOutput()).isEqualTo(String.join("\n",
                "quarkus.tls.memgrate-listener.protocols is refused: memgrate.tls.enabled is false, so nothing uses it;"
                        + " set memgrate.tls.enabled=true, or remove it",
                "quarkus.tls.memgrate-upstream.trust-all is refused: memgrate.upstream.tls.enabled is false, so nothing"
                        + " uses it; set memgrate.upstream.tls.enabled=true, or remove it"));
        assertThat(result.getOutput()).doesNotContain("Polling", "Exception", "\tat ");
    }
}
