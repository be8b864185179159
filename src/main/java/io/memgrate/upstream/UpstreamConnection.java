package io.memgrate.upstream;

import java.time.Duration;
import java.util.ArrayDeque;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.protocol.MalformedReplyException;
import io.memgrate.protocol.UpstreamReply;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;

/**
 * One reused TCP connection to a configuration endpoint. Requests are pipelined and their replies matched in order.
 * Any timeout, malformed reply or close drops the connection and fails every exchange in flight: after a
 * framing error nothing later on that connection can be trusted. The next exchange connects again, which also
 * resolves the endpoint (and its DNS name) again. Everything runs on one Vert.x context.
 */
final class UpstreamConnection {

    private final Context context;
    private final NetClient client;
    private final EndpointSource endpoints;
    private final long timeoutMillis;
    private final int maxReplyBytes;
    private final ArrayDeque<Exchange> inFlight = new ArrayDeque<>();
    private Future<NetSocket> socket;
    private HostAndPort connectedTo;
    private Buffer received = Buffer.buffer();

    private record Exchange(UpstreamReply shape, Promise<Buffer> promise, long timer) {
    }

    UpstreamConnection(Context context, NetClient client, EndpointSource endpoints, Duration timeout, int maxReplyBytes) {
        this.context = context;
        this.client = client;
        this.endpoints = endpoints;
        this.timeoutMillis = Math.max(1, timeout.toMillis());
        this.maxReplyBytes = maxReplyBytes;
    }

    /**
     * Sends {@code request} and completes with the one reply of {@code shape}, or fails with an {@link UpstreamException}.
     * Connecting is bounded by the client's connect timeout, the reply by the exchange timeout.
     */
    Future<Buffer> exchange(Buffer request, UpstreamReply shape) {
        if (Vertx.currentContext() != context) {
            Promise<Buffer> relayed = Promise.promise();
            context.runOnContext(v -> exchange(request, shape).onComplete(relayed));
            return relayed.future();
        }
        Promise<Buffer> promise = Promise.promise();
        Future<NetSocket> attempt = connected();
        attempt.onComplete(connected -> {
            if (connected.failed()) {
                promise.tryFail(connected.cause());
                return;
            }
            if (socket != attempt) {
                promise.tryFail(new UpstreamException("closed", "the connection was dropped before the request was sent"));
                return;
            }
            long timer = context.owner().setTimer(timeoutMillis, id -> timedOut(promise));
            inFlight.add(new Exchange(shape, promise, timer));
            connected.result().write(request);
        });
        return promise.future();
    }

    private Future<NetSocket> connected() {
        Future<HostAndPort> endpoint = endpoints.endpoint();
        if (socket != null && socket.succeeded() && endpoint.succeeded() && !endpoint.result().equals(connectedTo)) {
            reset(new UpstreamException("moved", "the endpoint moved to " + endpoint.result()));
        }
        if (socket == null) {
            Future<NetSocket> attempt = endpoint
                    .recover(e -> Future.failedFuture(new UpstreamException("resolve", e.getMessage())))
                    .compose(this::connect);
            socket = attempt;
            attempt.onFailure(e -> {
                if (socket == attempt) {
                    socket = null;
                }
            });
            // not the field: an attempt that failed at once (an endpoint source in backoff) has already cleared it
            return attempt;
        }
        return socket;
    }

    private Future<NetSocket> connect(HostAndPort endpoint) {
        return client.connect(endpoint.port(), endpoint.host())
                .recover(e -> Future.failedFuture(new UpstreamException("connect",
                        "cannot connect to " + endpoint + ": " + causes(e))))
                .onSuccess(connected -> {
                    connectedTo = endpoint;
                    // a socket dropped while it was connecting must not feed the replies of its successor
                    connected.handler(data -> {
                        if (isCurrent(connected)) {
                            received(data);
                        }
                    });
                    connected.closeHandler(v -> closed(connected));
                });
    }

    private void received(Buffer data) {
        received.appendBuffer(data);
        try {
            while (received.length() > 0) {
                Exchange head = inFlight.peek();
                if (head == null) {
                    reset(new UpstreamException("unexpected", "upstream sent bytes nobody asked for"));
                    return;
                }
                byte[] bytes = received.getBytes();
                int length = head.shape().completeLength(bytes, bytes.length, maxReplyBytes);
                if (length < 0) {
                    return;
                }
                inFlight.poll();
                context.owner().cancelTimer(head.timer());
                head.promise().tryComplete(received.getBuffer(0, length));
                received = received.getBuffer(length, received.length());
            }
        } catch (MalformedReplyException e) {
            reset(new UpstreamException("malformed-" + e.reason(), "malformed reply: " + e.getMessage()));
        }
    }

    private void timedOut(Promise<Buffer> promise) {
        if (!promise.future().isComplete()) {
            promise.tryFail(new UpstreamException("timeout", "no complete reply within " + timeoutMillis + " ms"));
            reset(new UpstreamException("timeout", "connection dropped after a timed-out exchange"));
        }
    }

    /** Every distinct message down the cause chain: a TLS failure says why only in its causes. */
    private static String causes(Throwable error) {
        StringBuilder text = new StringBuilder(String.valueOf(error.getMessage()));
        for (Throwable cause = error.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && text.indexOf(cause.getMessage()) < 0) {
                text.append(": ").append(cause.getMessage());
            }
        }
        return text.toString();
    }

    private boolean isCurrent(NetSocket candidate) {
        return socket != null && socket.result() == candidate;
    }

    private void closed(NetSocket closedSocket) {
        if (isCurrent(closedSocket)) {
            reset(new UpstreamException("closed", "upstream closed the connection"));
        }
    }

    /** Drops the connection and fails every exchange in flight with {@code cause}. */
    void reset(UpstreamException cause) {
        Future<NetSocket> dropped = socket;
        socket = null;
        received = Buffer.buffer();
        Exchange exchange;
        while ((exchange = inFlight.poll()) != null) {
            context.owner().cancelTimer(exchange.timer());
            exchange.promise().tryFail(cause);
        }
        if (dropped != null && dropped.succeeded()) {
            dropped.result().close();
        }
    }
}
