package io.memgrate.client.xmemcached;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The adapter's own connection to Memgrate, byte for byte: replies are hand-written as Memgrate writes them, faults
 * are injected by a loopback endpoint that answers what each test tells it to.
 */
class ConfigEndpointConnectionTest {

    private static final String DATA = "12\nnode-1|127.0.0.1|11211 node-2|127.0.0.1|11212\n";
    private static final String REPLY = "CONFIG cluster 0 49\r\n" + DATA + "\r\nEND\r\n";

    private final List<ScriptedEndpoint> endpoints = new ArrayList<ScriptedEndpoint>();

    @AfterEach
    void closeEndpoints() throws IOException {
        for (ScriptedEndpoint endpoint : endpoints) {
            endpoint.close();
        }
    }

    @Test
    void readsTheDataBlockOfAConfigReply() throws IOException {
        assertThat(DATA.length()).isEqualTo(49);
        assertThat(ConfigEndpointConnection.readConfig(bytes(REPLY), "cluster")).isEqualTo(DATA);
    }

    @Test
    void refusesAnythingButAConfigReply() {
        assertRefused("ERROR\r\n", "Not a configuration reply to 'config get cluster': 'ERROR'");
        assertRefused("CONFIG other 0 49\r\n" + DATA + "\r\nEND\r\n", "Not a configuration reply");
        assertRefused("CONFIG cluster 0 -1\r\n", "Not a configuration reply");
        assertRefused("CONFIG cluster 0 49\n" + DATA + "\r\nEND\r\n", "Not a configuration reply");
        assertRefused("CONFIG cluster 0 48\r\n" + DATA + "\r\nEND\r\n", "does not end with END");
        assertRefused("CONFIG cluster 0 49\r\n" + DATA + "END\r\n", "Connection closed after");
        assertRefused("CONFIG cluster 0 2000000\r\n", "over the limit of 1048576");
        char[] endless = new char[5000];
        Arrays.fill(endless, 'x');
        assertRefused(new String(endless), "longer than 1024 bytes");
    }

    @Test
    void asksOverOneReusedConnection() throws IOException {
        ScriptedEndpoint memgrate = endpoint(REPLY);
        ConfigEndpointConnection connection = new ConfigEndpointConnection(list(memgrate), 2000);

        for (int poll = 0; poll < 3; poll++) {
            assertThat(connection.fetch("cluster")).isEqualTo(DATA);
        }
        assertThat(memgrate.requests()).containsExactly("config get cluster", "config get cluster", "config get cluster");
        assertThat(memgrate.accepted.get()).isEqualTo(1);
        connection.close();
    }

    @Test
    void anEndpointThatNeverAnswersTimesOutAndTheNextOneIsAsked() throws IOException {
        ScriptedEndpoint silent = endpoint(null);
        ScriptedEndpoint memgrate = endpoint(REPLY);
        List<InetSocketAddress> both = new ArrayList<InetSocketAddress>(list(silent));
        both.addAll(list(memgrate));
        ConfigEndpointConnection connection = new ConfigEndpointConnection(both, 300);

        assertThatThrownBy(() -> connection.fetch("cluster")).isInstanceOf(SocketTimeoutException.class);
        assertThat(connection.endpoint()).isEqualTo(both.get(1));
        assertThat(connection.fetch("cluster")).isEqualTo(DATA);
        connection.close();
    }

    @Test
    void aClosedEndpointFailsThePollAndTheNextPollReconnects() throws IOException {
        ScriptedEndpoint memgrate = endpoint(REPLY);
        ConfigEndpointConnection connection = new ConfigEndpointConnection(list(memgrate), 2000);
        assertThat(connection.fetch("cluster")).isEqualTo(DATA);

        memgrate.dropConnections();
        assertThatThrownBy(() -> connection.fetch("cluster")).isInstanceOf(IOException.class);
        assertThat(connection.fetch("cluster")).isEqualTo(DATA);
        assertThat(memgrate.accepted.get()).isEqualTo(2);
        connection.close();
    }

    @Test
    void aRefusedConnectionFailsThePoll() throws IOException {
        // a port held by a socket that never listens: connecting is refused, and no listener can take the port meanwhile
        // (a listener's port closed for the test was once taken by another process before the test connected)
        try (Socket holder = new Socket()) {
            holder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            ConfigEndpointConnection connection = new ConfigEndpointConnection(java.util.Collections.singletonList(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), holder.getLocalPort())), 2000);

            assertThatThrownBy(() -> connection.fetch("cluster")).isInstanceOf(IOException.class)
                    .hasMessageContaining("Connection refused");
        }
    }

    private static void assertRefused(String reply, String message) {
        assertThatThrownBy(() -> ConfigEndpointConnection.readConfig(bytes(reply), "cluster"))
                .isInstanceOf(IOException.class).hasMessageContaining(message);
    }

    private static InputStream bytes(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII));
    }

    private ScriptedEndpoint endpoint(String reply) throws IOException {
        ScriptedEndpoint endpoint = new ScriptedEndpoint(reply);
        endpoints.add(endpoint);
        return endpoint;
    }

    private static List<InetSocketAddress> list(ScriptedEndpoint endpoint) {
        return java.util.Collections.singletonList(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), endpoint.server.getLocalPort()));
    }

    /** Answers every request line with {@code reply}, or never answers when it is null. */
    private static final class ScriptedEndpoint implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicInteger accepted = new AtomicInteger();
        private final List<String> requests = new ArrayList<String>();
        private final List<Socket> connections = new ArrayList<Socket>();
        private final String reply;

        ScriptedEndpoint(String reply) throws IOException {
            this.reply = reply;
            Thread acceptor = new Thread(this::serve, "scripted-endpoint");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        synchronized List<String> requests() {
            return new ArrayList<String>(requests);
        }

        synchronized void dropConnections() throws IOException {
            for (Socket connection : connections) {
                connection.close();
            }
        }

        private void serve() {
            while (!server.isClosed()) {
                try {
                    Socket connection = server.accept();
                    accepted.incrementAndGet();
                    synchronized (this) {
                        connections.add(connection);
                    }
                    Thread handler = new Thread(() -> answer(connection), "scripted-connection");
                    handler.setDaemon(true);
                    handler.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private void answer(Socket connection) {
            try (Socket open = connection) {
                InputStream in = open.getInputStream();
                OutputStream out = open.getOutputStream();
                StringBuilder line = new StringBuilder();
                for (int next = in.read(); next >= 0; next = in.read()) {
                    if (next != '\n') {
                        line.append((char) next);
                        continue;
                    }
                    synchronized (this) {
                        requests.add(line.toString().replace("\r", ""));
                    }
                    line.setLength(0);
                    if (reply != null) {
                        out.write(reply.getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                }
            } catch (IOException closed) {
                // the test closed it
            }
        }

        @Override
        public synchronized void close() throws IOException {
            server.close();
            dropConnections();
        }
    }
}
