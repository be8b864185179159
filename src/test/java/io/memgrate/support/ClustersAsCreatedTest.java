package io.memgrate.support;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;

import io.memgrate.server.ConfigEndpointServer;

/**
 * The set-up of tests that point clients at Memgrate over the test clusters: each test starts from the clusters as they
 * were created, with their merge served. Subclasses keep their own {@code @QuarkusTest} and test resource arguments.
 */
public abstract class ClustersAsCreatedTest {

    @Inject
    protected ConfigEndpointServer server;

    @InjectTestClusters
    protected TestClusters clusters;

    @BeforeEach
    void clustersAsCreated() {
        clusters.restore();
        clusters.awaitMergeServed(server.port());
    }
}
