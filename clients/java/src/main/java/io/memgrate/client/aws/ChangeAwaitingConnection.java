package io.memgrate.client.aws;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import net.spy.memcached.ConnectionFactory;
import net.spy.memcached.MemcachedConnection;
import net.spy.memcached.MemcachedNode;
import net.spy.memcached.compat.log.Logger;
import net.spy.memcached.compat.log.LoggerFactory;
import net.spy.memcached.config.ClusterConfiguration;
import net.spy.memcached.config.NodeEndPoint;

/**
 * The client's data connection, built exactly as the client's own factory builds it, whose poller waits for a change
 * it can check. The client's {@code waitForConfigChangeApplied} waits up to 50 s for a signal its I/O thread may have
 * given already (or given to the thread waiting for the first configuration): the poller then stops for 50 s and
 * follows the next change that late. Here the poller waits until the nodes it was told about are the ones the client
 * uses, or the client shuts down; at most until its next poll is due, since a change not applied by then stays queued
 * for the I/O thread anyway.
 */
final class ChangeAwaitingConnection extends MemcachedConnection {

    /** The client's own bound on the wait, for polls further apart than this. */
    private static final long CLIENT_WAIT_MILLIS = TimeUnit.SECONDS.toMillis(50);

    private final long waitNanos;
    /** The nodes of the configuration the poller last handed over; guarded by conditionLock. */
    private Set<String> told = new HashSet<String>();

    ChangeAwaitingConnection(ConnectionFactory factory, List<InetSocketAddress> endpoint) throws IOException {
        // what the factory's own createConnection passes
        super(factory.getReadBufSize(), factory, endpoint, factory.getInitialObservers(), factory.getFailureMode(),
                factory.getOperationFactory());
        waitNanos = TimeUnit.MILLISECONDS.toNanos(
                Math.max(1, Math.min(factory.getDynamicModePollingInterval(), CLIENT_WAIT_MILLIS)));
    }

    /** The client's own connection code logs here, under the client's category, as it does without the adapter. */
    @Override
    protected Logger getLogger() {
        return LoggerFactory.getLogger(MemcachedConnection.class);
    }

    @Override
    public void notifyUpdate(ClusterConfiguration config) {
        if (config != null) {
            conditionLock.lock();
            try {
                told = keys(config.getCacheNodeEndPoints());
            } finally {
                conditionLock.unlock();
            }
        }
        super.notifyUpdate(config);
    }

    @Override
    public void waitForConfigChangeApplied() {
        conditionLock.lock();
        try {
            long remaining = waitNanos;
            while (!shutDown && !applied() && remaining > 0) {
                remaining = nodeUpdateCondition.awaitNanos(remaining);
            }
            passTheSignalOn();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            conditionLock.unlock();
        }
    }

    @Override
    public void waitForInitialConfigApplied() {
        conditionLock.lock();
        try {
            while (!shutDown && !isInitialClusterConfigApplied) {
                nodeUpdateCondition.await();
            }
            passTheSignalOn();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            conditionLock.unlock();
        }
    }

    @Override
    public void shutdown() throws IOException {
        super.shutdown();
        conditionLock.lock();
        try {
            nodeUpdateCondition.signalAll();
        } finally {
            conditionLock.unlock();
        }
    }

    /**
     * The I/O thread signals one waiter per applied change, and two threads can be waiting at start (the one building
     * the client, for its first configuration, and the poller): whoever got it wakes the other, who checks its own
     * condition.
     */
    private void passTheSignalOn() {
        nodeUpdateCondition.signalAll();
    }

    /** Whether the client uses the nodes it was last told about; called holding conditionLock. */
    private boolean applied() {
        if (told.isEmpty()) {
            return true; // the client applies no empty list
        }
        lockForNodeUpdates.lock();
        try {
            if (!newEndPoints.isEmpty()) {
                return false;
            }
        } finally {
            lockForNodeUpdates.unlock();
        }
        Set<String> used = new HashSet<String>();
        for (MemcachedNode node : locator.getAll()) {
            NodeEndPoint endPoint = node.getNodeEndPoint();
            if (endPoint == null) {
                return false;
            }
            used.add(key(endPoint));
        }
        return used.equals(told);
    }

    private static Set<String> keys(Collection<NodeEndPoint> endPoints) {
        Set<String> keys = new HashSet<String>();
        for (NodeEndPoint endPoint : endPoints) {
            keys.add(key(endPoint));
        }
        return keys;
    }

    /** A node as the client matches it when applying a change: host name, IP and port. */
    private static String key(NodeEndPoint endPoint) {
        return endPoint.getHostName() + "|" + endPoint.getIpAddress() + "|" + endPoint.getPort();
    }
}
