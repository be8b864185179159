package io.memgrate.upstream;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.memgrate.settings.MemgrateSettings;
import io.memgrate.settings.RegistryTls;
import io.memgrate.settings.TlsReload;
import io.quarkus.tls.CertificateUpdatedEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

/**
 * TLS to the configuration endpoints, from the TLS registry's configuration {@value RegistryTls#UPSTREAM}
 * (memgrate.upstream.tls.*); without it (no CA file), the JVM's trust store. Host names are always verified. When the
 * registry reloads the CA file (every {@code memgrate.upstream.tls.reload-period}, or on {@link TlsConfiguration#reload()}
 * followed by a {@link CertificateUpdatedEvent}), new connections trust what it then holds; open connections go on.
 * With TLS off, nothing here touches the client.
 */
@ApplicationScoped
public class UpstreamTls {

    /** Host name verification as HTTPS clients do it: the endpoint's name must be in its certificate. */
    static final String HOST_NAME_VERIFICATION = "HTTPS";

    private final MemgrateSettings settings;
    private final TlsConfigurationRegistry registry;
    private final TlsReload reload = new TlsReload(TlsConfiguration::getTrustStore,
            "TLS: new upstream connections trust %s (open ones go on)",
            "TLS: the reloaded upstream CA(s) %s were not applied; new upstream connections keep trusting %s");
    private volatile NetClient client;

    @Inject
    public UpstreamTls(MemgrateSettings settings, TlsConfigurationRegistry registry) {
        this.settings = settings;
        this.registry = registry;
    }

    /** {@code options} with TLS when memgrate.upstream.tls.enabled, else unchanged. */
    NetClientOptions configure(NetClientOptions options) {
        return settings.upstream().tls().enabled() ? apply(options, registry.get(RegistryTls.UPSTREAM)) : options;
    }

    /** TLS with host name verification, and the registry configuration's CA(s) when there is one. */
    static NetClientOptions apply(NetClientOptions options, Optional<TlsConfiguration> tls) {
        options.setSsl(true).setHostnameVerificationAlgorithm(HOST_NAME_VERIFICATION);
        tls.ifPresent(configuration -> RegistryTls.apply(options, RegistryTls.sslOptions(configuration)));
        return options;
    }

    /** {@code created}, whose trusted CA(s) now follow the registry's reloads when TLS is on. */
    NetClient reloading(NetClient created) {
        if (settings.upstream().tls().enabled()) {
            client = created;
            registry.get(RegistryTls.UPSTREAM).ifPresent(reload::started);
        }
        return created;
    }

    void onCertificateUpdated(@Observes CertificateUpdatedEvent event) {
        NetClient current = client;
        if (current != null && RegistryTls.UPSTREAM.equals(event.name())) {
            update(current, event.tlsConfiguration());
        }
    }

    /** New connections of {@code current} use what {@code tls} holds now. */
    void update(NetClient current, TlsConfiguration tls) {
        reload.reloaded(tls, current::updateSSLOptions);
    }
}
