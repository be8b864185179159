package io.memgrate.server;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.memgrate.settings.MemgrateSettings;
import io.memgrate.settings.RegistryTls;
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

    private static final Logger LOG = Logger.getLogger(ListenerTls.class);

    private final MemgrateSettings settings;
    private final TlsConfigurationRegistry registry;
    private volatile NetServer server;
    /** The certificate new connections get, for the log. */
    private volatile String serving = "";
    /** What new connections get: a reload that brings the same changes nothing. */
    private RegistryTls.Material applied;

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
            serving = RegistryTls.describe(configuration().getKeyStore());
            applied = RegistryTls.material(configuration());
        }
        return created;
    }

    synchronized void onCertificateUpdated(@Observes CertificateUpdatedEvent event) {
        NetServer current = server;
        if (current == null || !RegistryTls.LISTENER.equals(event.name())) {
            return;
        }
        RegistryTls.Material material = RegistryTls.material(event.tlsConfiguration());
        if (material.equals(applied)) {
            return;
        }
        applied = material;
        String reloaded = RegistryTls.describe(event.tlsConfiguration().getKeyStore());
        current.updateSSLOptions(RegistryTls.sslOptions(event.tlsConfiguration())).onComplete(updated -> {
            if (updated.failed()) {
                LOG.errorf(updated.cause(), "TLS: the reloaded listener certificate %s was not applied; new client connections"
                        + " keep getting %s", reloaded, serving);
            } else if (updated.result()) { // false: a later reload's update overtook this one and logs
                LOG.infof("TLS: new client connections get the listener certificate %s (open ones keep theirs)", reloaded);
                serving = reloaded;
            }
        });
    }

    private TlsConfiguration configuration() {
        // SettingsChecks ran first: with TLS on, both PEM files were good, so TlsRegistryFeed handed them to the registry
        return registry.get(RegistryTls.LISTENER).orElseThrow(() -> new IllegalStateException(
                "memgrate.tls.enabled is true but the TLS registry has no configuration " + RegistryTls.LISTENER));
    }
}
