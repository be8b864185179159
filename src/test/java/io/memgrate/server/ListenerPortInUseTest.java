package io.memgrate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;

/** A listen port that is taken stops start-up with one line naming the setting, before any upstream is polled. */
@QuarkusMainTest
@TestProfile(ListenerPortInUseTest.PortTaken.class)
class ListenerPortInUseTest {

    /** Held open by the test, so the port is in use when Memgrate binds it. */
    static final ServerSocket TAKEN = listening();

    public static class PortTaken implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("memgrate.primary.endpoint", "127.0.0.1:1", "memgrate.listen.host", "127.0.0.1",
                    "memgrate.listen.port", String.valueOf(TAKEN.getLocalPort()));
        }
    }

    private static ServerSocket listening() {
        try {
            return new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void release() throws IOException {
        TAKEN.close();
    }

    @Test
    @Launch(value = {}, exitCode = 1)
    void aPortInUseIsNamedInOneLineAndNothingIsPolled(LaunchResult result) {
        assertThat(result.getErrorOutput())
                .startsWith("memgrate.listen.port=" + TAKEN.getLocalPort() + " cannot be bound on 127.0.0.1: ")
                .contains("in use")
                .endsWith("; stop what listens there, or set another port")
                .doesNotContain("\n");
        assertThat(result.getOutput()).doesNotContain("Polling", "Exception", "\tat ");
    }
}
