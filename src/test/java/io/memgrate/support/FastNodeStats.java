package io.memgrate.support;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Node statistics read every half second (30 s by default), so node series, hit ratios and histories fill within a test. */
public class FastNodeStats implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("memgrate.nodes.stats-interval", "500ms");
    }
}
