package io.memgrate.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Handler;

import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.Level;
import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.handlers.ConsoleHandler;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.memgrate.support.FreePorts;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * JSON logs (deploy/README.md, "Logs": {@code QUARKUS_LOG_CONSOLE_JSON_ENABLED=true}) work on this platform:
 * quarkus-logging-json is pinned to an older release than the Quarkus platform (pom.xml says why), so each build checks
 * that the extension still installs its formatter on the console and writes one JSON object per record.
 */
@QuarkusTest
@TestProfile(JsonLogsTest.JsonConsole.class)
class JsonLogsTest {

    public static class JsonConsole implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // an upstream nobody listens on: Memgrate starts, and this test needs nothing from it
            return Map.of("quarkus.log.console.json.enabled", "true",
                    "memgrate.listen.host", "127.0.0.1",
                    "memgrate.listen.port", "0",
                    "memgrate.primary.endpoint", "127.0.0.1:" + FreePorts.next());
        }
    }

    @Test
    void theConsoleWritesEachRecordAsOneJsonObject() throws Exception {
        List<Formatter> consoleFormatters = new ArrayList<>();
        collectConsoleFormatters(LogContext.getLogContext().getLogger("").getHandlers(), consoleFormatters);
        assertThat(consoleFormatters).as("the console handler's formatter").isNotEmpty()
                .allSatisfy(formatter -> assertThat(formatter.getClass().getName())
                        .isEqualTo("io.quarkus.logging.json.runtime.JsonFormatter"));

        ExtLogRecord record = new ExtLogRecord(Level.WARN, "primary upstream failed: \"quoted\"\nsecond line",
                JsonLogsTest.class.getName());
        record.setLoggerName("io.memgrate.upstream.UpstreamPoller");
        String line = consoleFormatters.get(0).format(record);
        assertThat(line).endsWith("\n").doesNotContain("\nsecond");
        JsonNode json = new ObjectMapper().readTree(line);
        assertThat(json.path("level").asText()).isEqualTo("WARN");
        assertThat(json.path("loggerName").asText()).isEqualTo("io.memgrate.upstream.UpstreamPoller");
        assertThat(json.path("message").asText()).isEqualTo("primary upstream failed: \"quoted\"\nsecond line");
        assertThat(json.path("timestamp").asText()).isNotBlank();
    }

    /** Console handlers may sit behind Quarkus' delayed or async handlers. */
    private static void collectConsoleFormatters(Handler[] handlers, List<Formatter> formatters) {
        for (Handler handler : handlers) {
            if (handler instanceof ConsoleHandler) {
                formatters.add(handler.getFormatter());
            }
            if (handler instanceof ExtHandler nested) {
                collectConsoleFormatters(nested.getHandlers(), formatters);
            }
        }
    }
}
