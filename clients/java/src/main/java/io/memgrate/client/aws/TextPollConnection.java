package io.memgrate.client.aws;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;

import javax.net.ssl.SSLContext;

import net.spy.memcached.ClientMode;
import net.spy.memcached.ConnectionFactory;
import net.spy.memcached.ConnectionObserver;
import net.spy.memcached.DefaultConnectionFactory;
import net.spy.memcached.FailureMode;
import net.spy.memcached.HashAlgorithm;
import net.spy.memcached.MemcachedConnection;
import net.spy.memcached.MemcachedNode;
import net.spy.memcached.NodeLocator;
import net.spy.memcached.OperationFactory;
import net.spy.memcached.auth.AuthDescriptor;
import net.spy.memcached.compat.log.Logger;
import net.spy.memcached.compat.log.LoggerFactory;
import net.spy.memcached.config.ConfigEndpointSelectionStrategyFactory;
import net.spy.memcached.metrics.MetricCollector;
import net.spy.memcached.metrics.MetricType;
import net.spy.memcached.ops.ConfigurationType;
import net.spy.memcached.ops.GetConfigOperation;
import net.spy.memcached.ops.GetOperation;
import net.spy.memcached.ops.KeyedOperation;
import net.spy.memcached.ops.Operation;
import net.spy.memcached.ops.OperationStatus;
import net.spy.memcached.ops.StatusCode;
import net.spy.memcached.protocol.ascii.AsciiOperationFactory;
import net.spy.memcached.transcoders.Transcoder;

/**
 * The connection the client's polls go to Memgrate over. Memgrate speaks the memcached text protocol only, so polls
 * always go as text, even from a client set to the binary protocol (which an ElastiCache endpoint also answers): the
 * client makes each poll with its own operation factory, and a binary one is sent as the same text request with the
 * same callback. Every other setting (timeouts, TLS, observers, failure mode, buffers) is the client's factory's.
 * <p>
 * While the connection is lost, a poll is answered at once with the configuration Memgrate last sent: the client keeps
 * its nodes, as it would after a failed poll, but its poller does not log a timeout, an error and a count at every
 * poll of the outage (the strategy logs the outage once when it begins and once when it ends).
 */
final class TextPollConnection extends MemcachedConnection {

    private static final OperationFactory TEXT = new AsciiOperationFactory();
    private static final OperationStatus ANSWERED = new OperationStatus(true, "END", StatusCode.SUCCESS);

    private volatile boolean lost;
    private volatile Answer lastAnswer;

    private TextPollConnection(TextProtocol factory, List<InetSocketAddress> memgrate) throws IOException {
        super(factory.getReadBufSize(), factory, memgrate, factory.getInitialObservers(), factory.getFailureMode(),
                TEXT);
        addObserver(new ConnectionObserver() {
            @Override
            public void connectionEstablished(SocketAddress memgrate, int reconnectCount) {
                lost = false;
            }

            @Override
            public void connectionLost(SocketAddress memgrate) {
                lost = true;
            }
        });
    }

    /** The client's own connection code logs here, under the client's category, as it does without the adapter. */
    @Override
    protected Logger getLogger() {
        return LoggerFactory.getLogger(MemcachedConnection.class);
    }

    static MemcachedConnection to(ConnectionFactory clients, List<InetSocketAddress> memgrate) throws IOException {
        return new TextPollConnection(new TextProtocol(clients), memgrate);
    }

    @Override
    public void enqueueOperation(InetSocketAddress memgrate, Operation poll) {
        if (!(poll instanceof GetConfigOperation)) {
            super.enqueueOperation(memgrate, asText(poll));
            return;
        }
        ConfigurationType type = ((GetConfigOperation) poll).getType();
        GetConfigOperation.Callback callback = (GetConfigOperation.Callback) poll.getCallback();
        Answer last = lastAnswer;
        if (lost && last != null && last.type == type) {
            callback.gotData(type, last.flags, last.data.clone());
            callback.receivedStatus(ANSWERED);
            callback.complete();
            return;
        }
        super.enqueueOperation(memgrate, TEXT.getConfig(type, new Remembered(callback)));
    }

    /** The client's other poll, {@code get AmazonElastiCache:cluster} for old engines, as text. */
    private static Operation asText(Operation poll) {
        if (isText(poll)) {
            return poll;
        }
        if (poll instanceof GetOperation) {
            return TEXT.get(((KeyedOperation) poll).getKeys(), (GetOperation.Callback) poll.getCallback());
        }
        throw new IllegalArgumentException("Memgrate answers only configuration polls, not " + poll);
    }

    private static boolean isText(Operation operation) {
        return operation.getClass().getName().startsWith("net.spy.memcached.protocol.ascii.");
    }

    /** What Memgrate last answered to a poll. */
    private static final class Answer {
        final ConfigurationType type;
        final int flags;
        final byte[] data;

        Answer(ConfigurationType type, int flags, byte[] data) {
            this.type = type;
            this.flags = flags;
            this.data = data;
        }
    }

    /** The client's callback for a poll, remembering Memgrate's answer. */
    private final class Remembered implements GetConfigOperation.Callback {

        private final GetConfigOperation.Callback client;

        Remembered(GetConfigOperation.Callback client) {
            this.client = client;
        }

        @Override
        public void gotData(ConfigurationType type, int flags, byte[] data) {
            lastAnswer = new Answer(type, flags, data.clone());
            client.gotData(type, flags, data);
        }

        @Override
        public void receivedStatus(OperationStatus status) {
            client.receivedStatus(status);
        }

        @Override
        public void complete() {
            client.complete();
        }
    }

    /** The client's factory with the text protocol: its own nodes and operations, and no SASL (binary only). */
    private static final class TextProtocol extends DefaultConnectionFactory {

        private final ConnectionFactory clients;

        TextProtocol(ConnectionFactory clients) {
            super(clients.getClientMode());
            this.clients = clients;
        }

        @Override
        public OperationFactory getOperationFactory() {
            return TEXT;
        }

        @Override
        public AuthDescriptor getAuthDescriptor() {
            return null;
        }

        @Override
        public MemcachedConnection createConnection(List<InetSocketAddress> addrs) {
            throw new UnsupportedOperationException("the connection to Memgrate is made by TextPollConnection.to");
        }

        // DefaultConnectionFactory.createMemcachedNode makes a text node from these

        @Override
        public BlockingQueue<Operation> createOperationQueue() {
            return clients.createOperationQueue();
        }

        @Override
        public BlockingQueue<Operation> createReadOperationQueue() {
            return clients.createReadOperationQueue();
        }

        @Override
        public BlockingQueue<Operation> createWriteOperationQueue() {
            return clients.createWriteOperationQueue();
        }

        @Override
        public long getOpQueueMaxBlockTime() {
            return clients.getOpQueueMaxBlockTime();
        }

        @Override
        public long getOperationTimeout() {
            return clients.getOperationTimeout();
        }

        @Override
        public long getAuthWaitTime() {
            return clients.getAuthWaitTime();
        }

        // and MemcachedConnection reads these

        @Override
        public ExecutorService getListenerExecutorService() {
            return clients.getListenerExecutorService();
        }

        @Override
        public boolean isDefaultExecutorService() {
            return clients.isDefaultExecutorService();
        }

        @Override
        public NodeLocator createLocator(List<MemcachedNode> nodes) {
            return clients.createLocator(nodes);
        }

        @Override
        public ClientMode getClientMode() {
            return clients.getClientMode();
        }

        @Override
        public long getDynamicModePollingInterval() {
            return clients.getDynamicModePollingInterval();
        }

        @Override
        public ConfigEndpointSelectionStrategyFactory getConfigEndpointSelectionStrategyFactory() {
            return clients.getConfigEndpointSelectionStrategyFactory();
        }

        @Override
        public boolean isDaemon() {
            return clients.isDaemon();
        }

        @Override
        public boolean useNagleAlgorithm() {
            return clients.useNagleAlgorithm();
        }

        @Override
        public boolean getKeepAlive() {
            return clients.getKeepAlive();
        }

        @Override
        public Collection<ConnectionObserver> getInitialObservers() {
            return clients.getInitialObservers();
        }

        @Override
        public FailureMode getFailureMode() {
            return clients.getFailureMode();
        }

        @Override
        public Transcoder<Object> getDefaultTranscoder() {
            return clients.getDefaultTranscoder();
        }

        @Override
        public boolean shouldOptimize() {
            return clients.shouldOptimize();
        }

        @Override
        public int getReadBufSize() {
            return clients.getReadBufSize();
        }

        @Override
        public HashAlgorithm getHashAlg() {
            return clients.getHashAlg();
        }

        @Override
        public long getMaxReconnectDelay() {
            return clients.getMaxReconnectDelay();
        }

        @Override
        public int getTimeoutExceptionThreshold() {
            return clients.getTimeoutExceptionThreshold();
        }

        @Override
        public MetricType enableMetrics() {
            return clients.enableMetrics();
        }

        @Override
        public MetricCollector getMetricCollector() {
            return clients.getMetricCollector();
        }

        @Override
        public SSLContext getSSLContext() {
            return clients.getSSLContext();
        }

        @Override
        public String getHostnameForTlsVerification() {
            return clients.getHostnameForTlsVerification();
        }

        @Override
        public boolean skipTlsHostnameVerification() {
            return clients.skipTlsHostnameVerification();
        }
    }
}
