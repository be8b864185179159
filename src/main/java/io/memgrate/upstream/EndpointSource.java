package io.memgrate.upstream;

import io.memgrate.config.HostAndPort;
import io.vertx.core.Future;

/** Where an upstream's configuration endpoint is: fixed in configuration, or found another way. */
public interface EndpointSource {

    /** The endpoint to connect to now. Must not block: called on the event loop before every new connection. */
    Future<HostAndPort> endpoint();

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
