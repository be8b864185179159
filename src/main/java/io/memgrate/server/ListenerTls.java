package io.memgrate.server;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.memgrate.settings.MemgrateSettings;
import io.memgrate.settings.RegistryTls;
import io.memgrate.settings.TlsReload;
import io.quarkus.tls.CertificateUpdatedEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;

/**
 * The listener's TLS, from the TLS registry's configuration {@value RegistryTls#LISTENER} (memgrate.tls.*). When the
 * registry reloads it (every {@code memgrate.tls.reload-period}, or on {@link TlsConfiguration#reload()} followed by a
 * {@link CertificateUpdatedEvent}), new connections get the new certificate; open connections keep theirs. With TLS
 * off, nothing here touches the listener.
 */
@ApplicationScoped
public class ListenerTls {

    private final MemgrateSettings settings;
    private final TlsConfigurationRegistry registry;
    private final TlsReload reload = new TlsReload(TlsConfiguration::getKeyStore,
            "TLS: new client connections get the listener certificate %s (open ones keep theirs)",
            "TLS: the reloaded listener certificate %s was not applied; new client connections keep getting %s");
    private volatile NetServer server;

    @Inject
    public ListenerTls(MemgrateSettings settings, TlsConfigurationRegistry registry) {
        this.settings = settings;
        this.registry = registry;
    }

    /** {@code options} with TLS when memgrate.tls.enabled, else unchanged. */
    NetServerOptions configure(NetServerOptions options) {
        return settings.tls().enabled() ? RegistryTls.apply(options, RegistryTls.sslOptions(configuration())) : options;
    }

    /** {@code created}, whose certificate now follows the registry's reloads when TLS is on. */
    NetServer reloading(NetServer created) {
        if (settings.tls().enabled()) {
            server = created;
            reload.started(configuration());
        }
        return created;
    }

    void onCertificateUpdated(@Observes CertificateUpdatedEvent event) {
        NetServer current = server;
        if (current != null && RegistryTls.LISTENER.equals(event.name())) {
            reload.reloaded(event.tlsConfiguration(), current::updateSSLOptions);
        }
    }

    private TlsConfiguration configuration() {
        // SettingsChecks ran first: with TLS on, both PEM files were good, so TlsRegistryFeed handed them to the registry
        return registry.get(RegistryTls.LISTENER).orElseThrow(() -> new IllegalStateException(
                "memgrate.tls.enabled is true but the TLS registry has no configuration " + RegistryTls.LISTENER));
    }
}
