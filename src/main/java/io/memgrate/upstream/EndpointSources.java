package io.memgrate.upstream;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.memgrate.config.HostAndPort;
import io.memgrate.config.MemgrateConfig;
import io.memgrate.emulator.DevClusters;
import io.quarkus.runtime.configuration.ConfigurationException;

/** Decides where each side's configuration endpoint comes from: configuration, or the dev-mode emulated clusters. */
@ApplicationScoped
public class EndpointSources {

    private final MemgrateConfig config;
    private final DevClusters devClusters;

    @Inject
    public EndpointSources(MemgrateConfig config, DevClusters devClusters) {
        this.config = config;
        this.devClusters = devClusters;
    }

    /** The source of every configured side; fails start-up with one line naming the missing property. */
    public Map<Side, EndpointSource> configured() {
        Map<Side, EndpointSource> sources = new EnumMap<>(Side.class);
        Optional<HostAndPort> primary = config.primary().endpoint();
        Optional<HostAndPort> secondary = config.secondary().endpoint();
        if (primary.isEmpty() && secondary.isEmpty() && devClusters.enabled()) {
            DevClusters.Endpoints emulated = devClusters.start();
            primary = Optional.of(emulated.primary());
            secondary = Optional.of(emulated.secondary());
        }
        sources.put(Side.PRIMARY, EndpointSource.fixed(primary.orElseThrow(() -> new ConfigurationException(
                "memgrate.primary.endpoint is required: set it to host:port of the primary (old) cluster's"
                        + " configuration endpoint (environment: MEMGRATE_PRIMARY_ENDPOINT)"))));
        secondary.ifPresent(endpoint -> sources.put(Side.SECONDARY, EndpointSource.fixed(endpoint)));
        return sources;
    }
}
