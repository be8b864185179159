package io.memgrate.settings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Converters;
import io.smallrye.config.common.MapBackedConfigSource;

/**
 * Hands {@code memgrate.tls.*} and {@code memgrate.upstream.tls.*} to the Quarkus TLS registry as the named
 * configurations {@value RegistryTls#LISTENER} and {@value RegistryTls#UPSTREAM}: the registry loads the PEM files
 * at start-up and reads them again every reload period. Registered in
 * {@code META-INF/services/io.smallrye.config.ConfigSourceFactory}, so it runs while the configuration is built, before
 * the registry reads it.
 * <p>
 * A side is fed only while its TLS is enabled, and only files that pass {@link SettingsChecks}' PEM checks: a TLS file
 * is never read while its TLS is off (as before the registry), and a bad file is refused by {@link SettingsChecks}
 * with its one line naming the {@code memgrate.*} property, instead of by the registry with a stack trace.
 */
public class TlsRegistryFeed implements ConfigSourceFactory {

    /** The name of the configuration source this produces, as {@code ConfigValue#getSourceName()} reports it. */
    public static final String SOURCE = "memgrate.tls.* and memgrate.upstream.tls.* (TlsRegistryFeed)";

    /** Below application.properties; nothing else sets these names once {@link SettingsChecks} passed. */
    static final int ORDINAL = 50;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        Map<String, String> properties = properties(name -> {
            ConfigValue value = context.getValue(name);
            return value == null ? null : value.getValue();
        });
        return List.of(new MapBackedConfigSource(SOURCE, properties, ORDINAL) {
        });
    }

    /** The registry's properties for the settings that {@code config} (a property's raw value, or null) holds. */
    static Map<String, String> properties(Function<String, String> config) {
        Map<String, String> properties = new TreeMap<>();
        if (enabled(config.apply("memgrate.tls.enabled"))) {
            Optional<String> certificate = pem(config, "memgrate.tls.certificate-file", SettingsChecks.Pem.CERTIFICATE);
            Optional<String> key = pem(config, "memgrate.tls.key-file", SettingsChecks.Pem.PRIVATE_KEY);
            if (certificate.isPresent() && key.isPresent()) {
                String prefix = RegistryTls.prefix(RegistryTls.LISTENER);
                properties.put(prefix + "key-store.pem.0.cert", certificate.get());
                properties.put(prefix + "key-store.pem.0.key", key.get());
                reloadPeriod(config, "memgrate.tls.reload-period").ifPresent(period -> properties.put(prefix + "reload-period", period));
            }
        }
        if (enabled(config.apply("memgrate.upstream.tls.enabled"))) {
            pem(config, "memgrate.upstream.tls.ca-file", SettingsChecks.Pem.CERTIFICATE).ifPresent(ca -> {
                String prefix = RegistryTls.prefix(RegistryTls.UPSTREAM);
                // a list property: a comma in the path would split it
                properties.put(prefix + "trust-store.pem.certs", ca.replace(",", "\\,"));
                reloadPeriod(config, "memgrate.upstream.tls.reload-period").ifPresent(period -> properties.put(prefix + "reload-period", period));
            });
        }
        return properties;
    }

    /** As the mapping reads a boolean; a value it cannot read feeds nothing (the mapping refuses it at start-up). */
    private static boolean enabled(String value) {
        if (value == null || value.isBlank()) {
            return false;
        }
        try {
            return Boolean.TRUE.equals(Converters.getImplicitConverter(Boolean.class).convert(value.trim()));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The path, when set and a good PEM file; else empty (SettingsChecks names the problem). */
    private static Optional<String> pem(Function<String, String> config, String property, SettingsChecks.Pem content) {
        String value = config.apply(property);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        Path path;
        try {
            path = Path.of(value);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return SettingsChecks.pemProblem(property, path, content).isEmpty() ? Optional.of(value) : Optional.empty();
    }

    /** The period in ISO-8601 when it is at least 1 ms ({@code 0s}: no periodic reload). */
    private static Optional<String> reloadPeriod(Function<String, String> config, String property) {
        String value = config.apply(property);
        Duration period;
        try {
            period = new Durations.Converter().convert(value == null || value.isBlank() ? MemgrateSettings.RELOAD_PERIOD
                    : value.trim());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return period.toMillis() < 1 ? Optional.empty() : Optional.of(period.toString());
    }
}
