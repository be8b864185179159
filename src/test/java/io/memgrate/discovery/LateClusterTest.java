package io.memgrate.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.memgrate.server.ConfigEndpointServer;
import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.TestClusters;
import io.memgrate.support.TextClient;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A primary cluster that does not exist yet when Memgrate starts (the operator created it a little later): lookups go
 * on through their backoff, polling never stops, and the merge is served once the cluster appears.
 */
@QuarkusTest
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS, initArgs = {
        @ResourceArg(name = TestClusters.BY_CLUSTER_ID, value = "true"),
        @ResourceArg(name = TestClusters.PRIMARY_NOT_CREATED, value = "true") })
class LateClusterTest {

    @Inject
    ConfigEndpointServer server;

    @InjectTestClusters
    TestClusters clusters;

    @Test
    void aClusterCreatedAfterStartIsPickedUp() {
        // lookups 1 s and 2 s apart: polls went on through the backoff (a dead poller never asks again)
        await().atMost(Duration.ofSeconds(15)).until(() -> clusters.api().requests(TestClusters.PRIMARY_CLUSTER_ID) >= 3);
        assertThat(TextClient.configGet(server.port()))
                .isEqualTo("SERVER_ERROR configuration not ready: waiting for the first answer of primary upstream\r\n");

        clusters.api().memcachedCluster(TestClusters.PRIMARY_CLUSTER_ID, "available", "127.0.0.1", clusters.primary().port());

        // the next lookup is at most one backoff step (4 s) away
        clusters.awaitMergeServed(server.port());
    }
}
