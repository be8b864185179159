package io.memgrate.protocol;

import io.memgrate.cluster.Topology;

/** What a configuration endpoint said to a configuration request, as {@link ReplyDecoder#config()} reads it. */
public sealed interface ConfigAnswer {

    /** The endpoint answered with a configuration. */
    record Found(Topology config) implements ConfigAnswer {
    }

    /** The endpoint does not know the command (engines before 1.4.14 answer {@code ERROR} to {@code config get}). */
    record UnknownCommand() implements ConfigAnswer {
    }

    /** The endpoint answered with an error or without the configuration. */
    record Refused(String reason) implements ConfigAnswer {
    }
}
