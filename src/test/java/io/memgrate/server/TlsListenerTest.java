package io.memgrate.server;

import static io.memgrate.support.ExpectedReplies.configReply;
import static io.memgrate.support.ExpectedReplies.mergedPayload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import javax.net.ssl.SSLSocketFactory;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.TestCertificates;
import io.memgrate.support.TestClusters;
import io.memgrate.support.TextClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/** Encrypted clusters upstream (TLS, host name verified, custom CA) and a TLS listener for clients. */
@QuarkusTest
@QuarkusTestResource(value = TestClusters.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = TestClusters.TLS, value = "true"))
class TlsListenerTest {

    @Inject
    ConfigEndpointServer server;

    @InjectTestClusters
    TestClusters clusters;

    @Test
    void clientsGetTheMergeAndStatsOverTlsFromUpstreamsReachedOverTls() {
        SSLSocketFactory tls = TestCertificates.trusting(clusters.ca());
        String config = configReply(mergedPayload(clusters));
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            try (TextClient client = new TextClient(server.port(), tls)) {
                return client.exchange("config get cluster\r\n", config).equals(config);
            }
        });
        String stats = TextClient.stats(clusters.primary().port(), tls);
        try (TextClient client = new TextClient(server.port(), tls)) {
            assertThat(client.exchange("config get cluster\r\nstats\r\nversion\r\n", config + stats + "VERSION 1.6.22\r\n"))
                    .isEqualTo(config + stats + "VERSION 1.6.22\r\n");
        }
    }

    @Test
    void plainTextClientGetsNoAnswer() {
        try (TextClient plain = new TextClient(server.port())) {
            plain.send("config get cluster\r\n");
            assertThat(plain.closedByServer()).isTrue();
        }
    }
}
