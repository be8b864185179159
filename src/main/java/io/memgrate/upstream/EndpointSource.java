package io.memgrate.upstream;

import io.memgrate.cluster.HostAndPort;
import io.vertx.core.Future;

/** Where an upstream's configuration endpoint is: fixed in configuration, or found another way. */
public interface EndpointSource {

    /**
     * The endpoint to use now. Must not block: called on the event loop before every exchange, so a source that
     * looks the endpoint up must answer from its cache when it can.
     */
    Future<HostAndPort> endpoint();

    /** A poll through this endpoint got a valid answer. */
    default void pollSucceeded() {
    }

    /** A poll through this endpoint failed (connect, timeout, close or malformed reply). */
    default void pollFailed() {
    }

    /** A fixed endpoint. */
    static EndpointSource fixed(HostAndPort endpoint) {
        return new Fixed(endpoint);
    }

    record Fixed(HostAndPort address) implements EndpointSource {
        @Override
        public Future<HostAndPort> endpoint() {
            return Future.succeededFuture(address);
        }

        @Override
        public String toString() {
            return address.toString();
        }
    }
}
