package io.memgrate.support;

import java.time.Duration;

import io.memgrate.config.MemgrateConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;

/** Memgrate's settings at their defaults, for tests that build beans without Quarkus. */
public final class DefaultSettings {

    private DefaultSettings() {
    }

    public static MemgrateConfig memgrate() {
        // with Quarkus' duration forms ("5s"), as the application reads them
        return new SmallRyeConfigBuilder().withMapping(MemgrateConfig.class)
                .withConverter(Duration.class, 100, new DurationConverter()).build().getConfigMapping(MemgrateConfig.class);
    }
}
