package io.memgrate.server;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;

import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.Serving;
import io.memgrate.support.TestClusters;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The set-up of tests of hostile or slow clients under {@link SmallClientLimits}: each test starts with the merge served
 * and no client connection open. Subclasses keep their own {@code @QuarkusTest} and profile.
 */
abstract class SmallLimitsClientTest {

    @Inject
    ConfigEndpointServer server;

    @Inject
    MeterRegistry registry;

    @InjectTestClusters
    TestClusters clusters;

    /** The merged reply served, byte for byte. */
    String config;

    @BeforeEach
    void serving() {
        config = clusters.mergedReply();
        Serving.awaitServedWithNoConnectionOpen(server, config);
    }
}
