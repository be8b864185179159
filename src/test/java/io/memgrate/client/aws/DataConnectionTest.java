package io.memgrate.client.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.memgrate.support.FreePorts;
import io.memgrate.support.LogLines;
import net.spy.memcached.BinaryConnectionFactory;
import net.spy.memcached.ClientMode;
import net.spy.memcached.ConnectionFactory;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.DefaultConnectionFactory;
import net.spy.memcached.KetamaConnectionFactory;
import net.spy.memcached.MemcachedConnection;

/**
 * Which data connection the adapter gives the client: its own, whose poller cannot miss an applied change, for every
 * factory that builds its connection as the client's factories do; the application's own, unchanged and with one
 * warning, for a factory that overrides createConnection. Nothing listens on the endpoint: the connections only try.
 */
class DataConnectionTest {

    private static final String ADAPTER_LOG = "io.memgrate.client.aws.MemgrateEndpointStrategy";

    private final List<InetSocketAddress> endpoint = List.of(new InetSocketAddress("127.0.0.1", FreePorts.next()));
    private final List<MemgrateEndpointStrategy> strategies = new ArrayList<>();
    private final List<MemcachedConnection> connections = new ArrayList<>();

    @AfterEach
    void shutDown() throws IOException {
        for (MemgrateEndpointStrategy strategy : strategies) {
            strategy.shutdownConfigConnection();
        }
        for (MemcachedConnection connection : connections) {
            connection.shutdown();
        }
    }

    @Test
    void theClientsOwnFactoriesGetAConnectionThatWaitsForTheChangeItWasTold() throws IOException {
        try (LogLines log = LogLines.of(ADAPTER_LOG)) {
            for (ConnectionFactory factory : List.of(new DefaultConnectionFactory(ClientMode.Dynamic),
                    new BinaryConnectionFactory(ClientMode.Dynamic), new KetamaConnectionFactory(),
                    new ConnectionFactoryBuilder().setClientMode(ClientMode.Dynamic)
                            .setProtocol(ConnectionFactoryBuilder.Protocol.BINARY)
                            .setLocatorType(ConnectionFactoryBuilder.Locator.CONSISTENT).build())) {
                assertThat(dataConnection(factory)).as(factory.getClass().getName())
                        .isInstanceOf(ChangeAwaitingConnection.class);
            }
            assertThat(log.lines()).isEmpty();
        }
    }

    @Test
    void aFactoryThatMakesItsOwnConnectionKeepsItAndIsWarnedOnce() throws IOException {
        List<MemcachedConnection> made = new ArrayList<>();
        ConnectionFactory factory = new DefaultConnectionFactory(ClientMode.Dynamic) {
            @Override
            public MemcachedConnection createConnection(List<InetSocketAddress> addrs) throws IOException {
                MemcachedConnection connection = super.createConnection(addrs);
                made.add(connection);
                return connection;
            }
        };
        try (LogLines log = LogLines.of(ADAPTER_LOG)) {
            MemcachedConnection data = dataConnection(factory);

            assertThat(made).containsExactly(data);
            assertThat(log.lines()).singleElement().asString().startsWith("WARN " + factory.getClass().getName()
                    + " overrides createConnection").contains("MemcachedConnection.waitForConfigChangeApplied", "50 s");
        }
    }

    private MemcachedConnection dataConnection(ConnectionFactory factory) throws IOException {
        MemgrateEndpointStrategy strategy = new MemgrateEndpointStrategy();
        strategies.add(strategy);
        MemcachedConnection data = strategy.setupMemcachedConnection(factory, endpoint);
        connections.add(data);
        return data;
    }
}
