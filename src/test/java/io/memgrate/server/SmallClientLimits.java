package io.memgrate.server;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Client limits small enough to reach in a test; the classes that share it share one application. */
public class SmallClientLimits implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("memgrate.client.max-connections", "5", "memgrate.client.write-stall-timeout", "2s");
    }
}
