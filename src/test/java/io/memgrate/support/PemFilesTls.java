package io.memgrate.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Optional;

import javax.net.ssl.SSLContext;

import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SSLOptions;
import io.vertx.core.net.TrustOptions;

/**
 * A TLS registry configuration made of a PEM trust file, as the registry builds one from
 * {@code quarkus.tls.<name>.trust-store.pem.certs}, without Quarkus: the file's contents are read into the options, and
 * {@link #reload()} reads the file again. For unit tests of the code that takes its TLS from the registry.
 */
public final class PemFilesTls implements TlsConfiguration {

    private final Vertx vertx;
    private final String name;
    private final Path trustFile;
    private volatile PemTrustOptions trustOptions;
    private volatile KeyStore trustStore;

    private PemFilesTls(Vertx vertx, String name, Path trustFile) {
        this.vertx = vertx;
        this.name = name;
        this.trustFile = trustFile;
        if (!reload()) {
            throw new IllegalStateException("cannot read " + trustFile);
        }
    }

    /** Trusts the CA(s) in {@code trustFile}. */
    public static PemFilesTls trusting(Vertx vertx, String name, Path trustFile) {
        return new PemFilesTls(vertx, name, trustFile);
    }

    /** A registry holding only {@code configurations}, by name. */
    public static TlsConfigurationRegistry registry(TlsConfiguration... configurations) {
        return new TlsConfigurationRegistry() {
            @Override
            public Optional<TlsConfiguration> get(String wanted) {
                for (TlsConfiguration configuration : configurations) {
                    if (configuration.getName().equals(wanted)) {
                        return Optional.of(configuration);
                    }
                }
                return Optional.empty();
            }

            @Override
            public Optional<TlsConfiguration> getDefault() {
                return Optional.empty();
            }

            @Override
            public void register(String ignored, TlsConfiguration configuration) {
                throw new UnsupportedOperationException();
            }
        };
    }

    @Override
    public synchronized boolean reload() {
        try {
            PemTrustOptions options = new PemTrustOptions().addCertValue(Buffer.buffer(Files.readAllBytes(trustFile)));
            KeyStore store = options.loadKeyStore(vertx);
            trustOptions = options;
            trustStore = store;
            return true;
        } catch (Exception e) {
            // as the registry: a reload that fails keeps what was loaded
            return false;
        }
    }

    @Override
    public KeyStore getKeyStore() {
        return null;
    }

    @Override
    public KeyCertOptions getKeyStoreOptions() {
        return null;
    }

    @Override
    public KeyStore getTrustStore() {
        return trustStore;
    }

    @Override
    public TrustOptions getTrustStoreOptions() {
        return trustOptions;
    }

    @Override
    public SSLOptions getSSLOptions() {
        // as the registry's: ALPN on by default
        return new SSLOptions().setTrustOptions(trustOptions).setUseAlpn(true);
    }

    @Override
    public SSLContext createSSLContext() {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean isTrustAll() {
        return false;
    }

    @Override
    public Optional<String> getHostnameVerificationAlgorithm() {
        return Optional.empty();
    }

    @Override
    public boolean usesSni() {
        return false;
    }

    @Override
    public String getName() {
        return name;
    }
}
