package io.memgrate.support;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.memgrate.settings.MemgrateSettings;
import io.quarkus.runtime.configuration.PathConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

/** {@link MemgrateSettings} read through its real mapping, without starting the application. */
public final class TestSettings {

    private TestSettings() {
    }

    /** These properties over the defaults; fails as start-up would on a value that does not convert. */
    public static MemgrateSettings read(String... keysAndValues) {
        Map<String, String> properties = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return new SmallRyeConfigBuilder()
                .withMapping(MemgrateSettings.class)
                // Quarkus registers this one for the application
                .withConverter(Path.class, 100, new PathConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 100))
                .build()
                .getConfigMapping(MemgrateSettings.class);
    }
}
