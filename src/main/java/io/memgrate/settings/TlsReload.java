package io.memgrate.settings;

import java.security.KeyStore;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.quarkus.tls.TlsConfiguration;
import io.vertx.core.Future;
import io.vertx.core.net.SSLOptions;

/**
 * Hands a reloaded registry configuration to one server's or client's new connections, only when the certificates
 * really changed (Vert.x 4.5 drops a connection that arrives while it swaps them), and logs what new connections get.
 * One per side: the listener's certificate, the upstreams' trusted CA(s).
 */
public final class TlsReload {

    private static final Logger LOG = Logger.getLogger(TlsReload.class);

    private final Function<TlsConfiguration, KeyStore> described;
    private final String appliedFormat;
    private final String notAppliedFormat;
    /** What new connections get, for the log. */
    private volatile String current = "";
    /** What new connections get: a reload that brings the same changes nothing. */
    private RegistryTls.Material applied;

    /**
     * @param described        the store whose certificates the log names (key store or trust store)
     * @param appliedFormat    logged at INFO with the new certificates once applied
     * @param notAppliedFormat logged at ERROR with the new and the current certificates when Vert.x refused them
     */
    public TlsReload(Function<TlsConfiguration, KeyStore> described, String appliedFormat, String notAppliedFormat) {
        this.described = described;
        this.appliedFormat = appliedFormat;
        this.notAppliedFormat = notAppliedFormat;
    }

    /** What the server or client was created with. */
    public synchronized void started(TlsConfiguration tls) {
        current = RegistryTls.describe(described.apply(tls));
        applied = RegistryTls.material(tls);
    }

    /** Applies {@code tls} through {@code update} (the server's or client's {@code updateSSLOptions}) if it changed. */
    public synchronized void reloaded(TlsConfiguration tls, Function<SSLOptions, Future<Boolean>> update) {
        RegistryTls.Material material = RegistryTls.material(tls);
        if (material.equals(applied)) {
            return;
        }
        applied = material;
        String reloaded = RegistryTls.describe(described.apply(tls));
        update.apply(RegistryTls.sslOptions(tls)).onComplete(updated -> {
            if (updated.failed()) {
                LOG.errorf(updated.cause(), notAppliedFormat, reloaded, current);
            } else if (updated.result()) { // false: a later reload's update overtook this one and logs
                LOG.infof(appliedFormat, reloaded);
                current = reloaded;
            }
        });
    }
}
