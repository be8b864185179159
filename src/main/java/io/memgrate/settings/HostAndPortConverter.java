package io.memgrate.settings;

import org.eclipse.microprofile.config.spi.Converter;

import io.memgrate.cluster.HostAndPort;

/** For {@code @WithConverter}: a {@code host:port} setting; blank means not set. */
public final class HostAndPortConverter implements Converter<HostAndPort> {
    @Override
    public HostAndPort convert(String value) {
        return value == null || value.isBlank() ? null : HostAndPort.parse(value);
    }
}
