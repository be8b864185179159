package io.memgrate.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.memgrate.cluster.Topology;

/** What a configuration endpoint said to a configuration request, parsed from one complete {@link UpstreamReply#CONFIG} reply. */
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

    /** Parses one complete reply as framed by {@link UpstreamReply#CONFIG}; throws {@link MalformedReplyException}. */
    static ConfigAnswer parse(byte[] reply) {
        String firstLine = new String(reply, 0, UpstreamReply.lineEnd(reply, reply.length, 0) - 2, StandardCharsets.US_ASCII);
        if (firstLine.equals("ERROR")) {
            return new UnknownCommand();
        }
        if (UpstreamReply.isErrorLine(firstLine)) {
            return new Refused(UpstreamReply.printable(firstLine));
        }
        if (firstLine.equals("END")) {
            return new Refused("the endpoint holds no " + ClientCommand.LEGACY_CONFIG_KEY + " key; it is not a configuration endpoint");
        }
        int headerEnd = firstLine.length() + 2;
        byte[] payload = Arrays.copyOfRange(reply, headerEnd, reply.length - Replies.TRAILER.length);
        try {
            return new Found(TopologyPayload.parse(payload));
        } catch (IllegalArgumentException e) {
            throw new MalformedReplyException("payload", e.getMessage());
        }
    }
}
