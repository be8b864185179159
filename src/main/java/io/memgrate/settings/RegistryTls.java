package io.memgrate.settings;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;

import io.quarkus.tls.TlsConfiguration;
import io.vertx.core.net.SSLOptions;
import io.vertx.core.net.TCPSSLOptions;

/**
 * The two named configurations of the Quarkus TLS registry that carry Memgrate's TLS: {@value #LISTENER} for the
 * client listener and {@value #UPSTREAM} for the connections to the configuration endpoints.
 * {@link TlsRegistryFeed} fills them from {@code memgrate.tls.*} and {@code memgrate.upstream.tls.*}; the registry
 * loads the PEM files and reloads them every {@code reload-period}. What an operator may add under
 * {@code quarkus.tls.<name>.*} is {@link #OPERATOR_PROPERTIES}; {@link SettingsChecks} refuses the rest.
 */
public final class RegistryTls {

    /** The listener's configuration: its key store is the certificate presented to clients. */
    public static final String LISTENER = "memgrate-listener";

    /** The upstreams' configuration: its trust store holds the CA(s) trusted instead of the JVM's. */
    public static final String UPSTREAM = "memgrate-upstream";

    /** What an operator may set directly, {@code quarkus.tls.<name>.} followed by one of these, on either side. */
    static final List<String> OPERATOR_PROPERTIES = List.of("protocols", "cipher-suites", "handshake-timeout");

    /** ... and on the upstream side also (checking the revocation of the endpoints' certificates). */
    static final List<String> UPSTREAM_OPERATOR_PROPERTIES = List.of("certificate-revocation-list");

    private RegistryTls() {
    }

    /** {@code quarkus.tls.<name>.} */
    public static String prefix(String name) {
        return "quarkus.tls." + name + ".";
    }

    /**
     * The Vert.x TLS options of a registry configuration: its key store, trust store, protocols, cipher suites,
     * handshake timeout and revocation lists. Not its ALPN switch (on by default in the registry): the memcached
     * protocol has no ALPN name, and Memgrate's TLS stays what it was without the registry.
     */
    public static SSLOptions sslOptions(TlsConfiguration tls) {
        SSLOptions registry = tls.getSSLOptions();
        SSLOptions options = new SSLOptions()
                .setKeyCertOptions(registry.getKeyCertOptions())
                .setTrustOptions(registry.getTrustOptions())
                .setEnabledSecureTransportProtocols(new LinkedHashSet<>(registry.getEnabledSecureTransportProtocols()))
                .setSslHandshakeTimeout(registry.getSslHandshakeTimeout())
                .setSslHandshakeTimeoutUnit(registry.getSslHandshakeTimeoutUnit());
        registry.getEnabledCipherSuites().forEach(options::addEnabledCipherSuite);
        registry.getCrlValues().forEach(options::addCrlValue);
        return options;
    }

    /**
     * What new connections get from a configuration, comparable across reloads: its options except the trust options,
     * and the trusted certificates by their SHA-256 fingerprints (the registry wraps the trust options in a class
     * without equality). The registry reloads every period whether or not the files changed; Vert.x 4.5 closes
     * connections that arrive while it builds new TLS contexts, so Memgrate updates only on a change.
     */
    public record Material(SSLOptions withoutTrust, List<String> trusted) {
    }

    /** {@link Material} of {@code tls}. */
    public static Material material(TlsConfiguration tls) {
        SSLOptions options = new SSLOptions(sslOptions(tls)).setTrustOptions(null);
        List<String> trusted = new ArrayList<>();
        KeyStore store = tls.getTrustStore();
        if (store != null) {
            try {
                MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
                for (String alias : Collections.list(store.aliases())) {
                    Certificate certificate = store.getCertificate(alias);
                    if (certificate != null) {
                        trusted.add(HexFormat.of().formatHex(sha256.digest(certificate.getEncoded())));
                    }
                }
            } catch (GeneralSecurityException e) {
                // not comparable: counts as a change
                trusted.add("unreadable " + System.nanoTime());
            }
        }
        Collections.sort(trusted);
        return new Material(options, List.copyOf(trusted));
    }

    /**
     * The certificates of {@code store}, by subject, serial number (hex) and end of validity, for the log: says which
     * certificate a reload brought. Empty for no store.
     */
    public static String describe(KeyStore store) {
        if (store == null) {
            return "";
        }
        try {
            List<String> certificates = new ArrayList<>();
            for (String alias : Collections.list(store.aliases())) {
                if (store.getCertificate(alias) instanceof X509Certificate certificate) {
                    certificates.add(certificate.getSubjectX500Principal().getName() + " (serial "
                            + certificate.getSerialNumber().toString(16) + ", valid until "
                            + certificate.getNotAfter().toInstant() + ")");
                }
            }
            Collections.sort(certificates);
            return String.join(", ", certificates);
        } catch (KeyStoreException e) {
            return "(unreadable key store: " + e.getMessage() + ")";
        }
    }

    /** Turns TLS on in {@code target} with {@code ssl}: the options a server or client starts with. */
    public static <T extends TCPSSLOptions> T apply(T target, SSLOptions ssl) {
        target.setSsl(true)
                .setKeyCertOptions(ssl.getKeyCertOptions())
                .setTrustOptions(ssl.getTrustOptions())
                .setEnabledSecureTransportProtocols(new LinkedHashSet<>(ssl.getEnabledSecureTransportProtocols()))
                .setSslHandshakeTimeout(ssl.getSslHandshakeTimeout())
                .setSslHandshakeTimeoutUnit(ssl.getSslHandshakeTimeoutUnit());
        ssl.getEnabledCipherSuites().forEach(target::addEnabledCipherSuite);
        ssl.getCrlValues().forEach(target::addCrlValue);
        return target;
    }
}
