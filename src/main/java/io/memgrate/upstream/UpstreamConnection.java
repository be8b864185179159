package io.memgrate.upstream;

import java.time.Duration;
import java.util.ArrayDeque;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.protocol.MalformedContentException;
import io.memgrate.protocol.ReplyDecoder;
import io.memgrate.transport.ChannelAccess;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;

/**
 * One reused TCP connection to a configuration endpoint or cache node. Requests are pipelined and their replies
 * matched in order, each decoded as its bytes arrive by the connection's {@link ReplyCodec}. Any timeout, reply that
 * cannot be framed or close drops the connection and fails every exchange in flight: after a framing error nothing
 * later on that connection can be trusted. A whole reply that says something invalid fails only its own exchange. The next exchange connects again, which also resolves the
 * endpoint (and its DNS name) again. Everything runs on one Vert.x context.
 */
final class UpstreamConnection {

    private final Context context;
    private final NetClient client;
    private final EndpointSource endpoints;
    private final long timeoutMillis;
    private final int maxReplyBytes;
    private final ArrayDeque<Exchange<?>> inFlight = new ArrayDeque<>();
    private Future<NetSocket> socket;
    private HostAndPort connectedTo;

    /** An exchange in flight: its reply is due in the order the requests were written. */
    private record Exchange<T>(Promise<T> promise, long timer) {
    }

    UpstreamConnection(Context context, NetClient client, EndpointSource endpoints, Duration timeout, int maxReplyBytes) {
        this.context = context;
        this.client = client;
        this.endpoints = endpoints;
        this.timeoutMillis = Math.max(1, timeout.toMillis());
        this.maxReplyBytes = maxReplyBytes;
    }

    /**
     * Sends {@code request} and completes with the reply {@code decoder} reads (a new decoder for every exchange). Fails
     * with an {@link UpstreamException}, or with a {@link MalformedContentException} when the reply is whole but says
     * something invalid (the connection stays: the replies after it are still in step). Connecting is bounded by the
     * client's connect timeout, the reply by the exchange timeout.
     */
    <T> Future<T> exchange(Buffer request, ReplyDecoder<T> decoder) {
        if (Vertx.currentContext() != context) {
            Promise<T> relayed = Promise.promise();
            context.runOnContext(v -> exchange(request, decoder).onComplete(relayed));
            return relayed.future();
        }
        Promise<T> promise = Promise.promise();
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
            inFlight.add(new Exchange<>(promise, timer));
            ChannelAccess.of(connected.result()).writeMessage(new ReplyCodec.Request(request, decoder));
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
                    ChannelAccess channel = ChannelAccess.of(connected);
                    channel.addCodec("memgrate-replies", new ReplyCodec(maxReplyBytes));
                    // a socket dropped while it was connecting must not answer the exchanges of its successor
                    channel.onMessage(reply -> {
                        if (isCurrent(connected)) {
                            replied(reply);
                        }
                    });
                    connected.closeHandler(v -> closed(connected));
                });
    }

    /** What the codec read: the next reply's value or invalid content, or that the connection cannot be trusted. */
    private void replied(Object reply) {
        if (reply instanceof UpstreamException lost) {
            reset(lost);
            return;
        }
        Exchange<?> head = inFlight.poll();
        context.owner().cancelTimer(head.timer());
        if (reply instanceof MalformedContentException invalid) {
            head.promise().tryFail(invalid);
        } else {
            complete(head, reply);
        }
    }

    /** The codec reads each reply with the decoder of the exchange it answers, so its value is of that type. */
    @SuppressWarnings("unchecked")
    private static <T> void complete(Exchange<T> head, Object reply) {
        head.promise().tryComplete((T) reply);
    }

    private void timedOut(Promise<?> promise) {
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
        Exchange<?> exchange;
        while ((exchange = inFlight.poll()) != null) {
            context.owner().cancelTimer(exchange.timer());
            exchange.promise().tryFail(cause);
        }
        if (dropped != null && dropped.succeeded()) {
            dropped.result().close();
        }
    }
}
