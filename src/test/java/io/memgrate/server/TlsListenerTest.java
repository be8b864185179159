package io.memgrate.server;

import static io.memgrate.support.ExpectedReplies.configReply;
import static io.memgrate.support.ExpectedReplies.mergedPayload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.memgrate.settings.MemgrateSettings;
import io.memgrate.settings.RegistryTls;
import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.TestCertificates;
import io.memgrate.support.TestClusters;
import io.memgrate.support.TextClient;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;

/**
 * Encrypted clusters upstream (TLS, host name verified, custom CA) and a TLS listener for clients, both through the
 * TLS registry's named configurations, whose files are read again every 200 ms here.
 */
@QuarkusTest
@TestProfile(TlsListenerTest.QuickReload.class)
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS,
        initArgs = @ResourceArg(name = TestClusters.TLS, value = "true"))
class TlsListenerTest {

    public static class QuickReload implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("memgrate.tls.reload-period", "200ms", "memgrate.upstream.tls.reload-period", "200ms");
        }
    }

    @Inject
    ConfigEndpointServer server;

    @Inject
    MemgrateSettings settings;

    @Inject
    TlsConfigurationRegistry registry;
    @InjectTestClusters
    TestClusters clusters;

    @Test
    void clientsGetTheMergeAndStatsOverTlsFromUpstreamsReachedOverTls() {
        SSLSocketFactory tls = TestCertificates.trusting(clusters.ca());
        String config = configReply(mergedPayload(clusters));
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            try (TextClient client = new TextClient(server.port(), tls)) {
                return client.exchange("config get cluster\r\n", config).equals(config);
            }
        });
        String stats = TextClient.stats(clusters.primary().port(), tls);
        try (TextClient client = new TextClient(server.port(), tls)) {
            assertThat(client.exchange("config get cluster\r\nstats\r\nversion\r\n", config + stats + "VERSION 1.6.22\r\n"))
                    .isEqualTo(config + stats + "VERSION 1.6.22\r\n");
        }
    }

    @Test
    void plainTextClientGetsNoAnswer() {
        try (TextClient plain = new TextClient(server.port())) {
            plain.send("config get cluster\r\n");
            assertThat(plain.closedByServer()).isTrue();
        }
    }

    @Test
    void tlsComesFromTheRegistrysNamedConfigurations() throws Exception {
        TlsConfiguration listener = registry.get(RegistryTls.LISTENER).orElseThrow();
        assertThat(listener.getKeyStore().size()).isEqualTo(1);
        X509Certificate served = (X509Certificate) listener.getKeyStore().getCertificate(listener.getKeyStore().aliases().nextElement());
        assertThat(served.getIssuerX500Principal()).isEqualTo(clusters.ca().certificate().getSubjectX500Principal());
        assertThat(listener.getTrustStore()).isNull();
        TlsConfiguration upstream = registry.get(RegistryTls.UPSTREAM).orElseThrow();
        assertThat(upstream.getKeyStore()).isNull();
        assertThat(Collections.list(upstream.getTrustStore().aliases())).singleElement()
                .satisfies(alias -> assertThat(upstream.getTrustStore().getCertificate(alias)).isEqualTo(clusters.ca().certificate()));
    }

    @Test
    void renewedCertificateGoesToNewConnectionsWhileOpenOnesGoOn() throws Exception {
        String config = configReply(mergedPayload(clusters));
        RecordingSocketFactory tls = new RecordingSocketFactory(TestCertificates.trusting(clusters.ca()));
        Path certificateFile = settings.tls().certificateFile().orElseThrow();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            try (TextClient client = new TextClient(server.port(), tls)) {
                return client.exchange("config get cluster\r\n", config).equals(config);
            }
        });
        try (TextClient open = new TextClient(server.port(), tls)) {
            BigInteger before = tls.peerSerial();
            SSLSocket openSocket = tls.last;
            assertThat(open.exchange("config get cluster\r\n", config)).isEqualTo(config);

            // renewed in place, as cert-manager does with a mounted secret: same CA, same names, new key and serial
            TestCertificates.Issued renewed = TestCertificates.localhost(clusters.ca(), certificateFile.getParent(),
                    certificateFile.getFileName().toString().replaceFirst("\\.crt$", ""));
            assertThat(renewed.certificateFile()).isEqualTo(certificateFile);
            assertThat(renewed.certificate().getSerialNumber()).isNotEqualTo(before);

            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                try (TextClient fresh = new TextClient(server.port(), tls)) {
                    return tls.peerSerial().equals(renewed.certificate().getSerialNumber())
                            && fresh.exchange("config get cluster\r\n", config).equals(config);
                }
            });
            // the connection opened before the renewal goes on, with the certificate it was given
            assertThat(open.exchange("config get cluster\r\n", config)).isEqualTo(config);
            assertThat(((X509Certificate) openSocket.getSession().getPeerCertificates()[0]).getSerialNumber()).isEqualTo(before);
            assertThat(open.exchange("version\r\n", "VERSION 1.6.22\r\n")).isEqualTo("VERSION 1.6.22\r\n");
        }
    }

    /** Remembers the TLS socket it made last, to read the certificate the server presented on it. */
    private static final class RecordingSocketFactory extends SSLSocketFactory {
        private final SSLSocketFactory delegate;
        private volatile SSLSocket last;

        RecordingSocketFactory(SSLSocketFactory delegate) {
            this.delegate = delegate;
        }

        /** The serial number of the certificate the server presented on the last socket made (handshaking if need be). */
        BigInteger peerSerial() throws SSLPeerUnverifiedException {
            return ((X509Certificate) last.getSession().getPeerCertificates()[0]).getSerialNumber();
        }

        private Socket record(Socket socket) {
            last = (SSLSocket) socket;
            return socket;
        }

        @Override
        public Socket createSocket() throws IOException {
            return record(delegate.createSocket());
        }

        @Override
        public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
            return record(delegate.createSocket(socket, host, port, autoClose));
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return record(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return record(delegate.createSocket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return record(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            return record(delegate.createSocket(address, port, localAddress, localPort));
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return delegate.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return delegate.getSupportedCipherSuites();
        }
    }
}
