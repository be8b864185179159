package io.memgrate.protocol;

import java.nio.charset.StandardCharsets;

import io.memgrate.cluster.Topology;

/** Formats the replies Memgrate sends to clients, byte for byte as an ElastiCache configuration endpoint does. */
public final class Replies {

    public static final String SUPPORTED_COMMANDS =
            "config get cluster, get " + ClientCommand.LEGACY_CONFIG_KEY + ", version, stats, quit";

    /** What follows the counted payload of a configuration reply, in either form. */
    static final byte[] TRAILER = "\r\nEND\r\n".getBytes(StandardCharsets.US_ASCII);

    private Replies() {
    }

    /** {@code CONFIG cluster 0 <n>\r\n<payload>\r\nEND\r\n}, the answer to {@code config get cluster}. */
    public static byte[] config(Topology config) {
        return framed("CONFIG cluster 0 ", TopologyPayload.of(config));
    }

    /** {@code VALUE AmazonElastiCache:cluster 0 <n>\r\n<payload>\r\nEND\r\n}, the answer to the legacy get. */
    public static byte[] legacyConfig(Topology config) {
        return framed("VALUE " + ClientCommand.LEGACY_CONFIG_KEY + " 0 ", TopologyPayload.of(config));
    }

    private static byte[] framed(String headerStart, byte[] payload) {
        byte[] header = (headerStart + payload.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] reply = new byte[header.length + payload.length + TRAILER.length];
        System.arraycopy(header, 0, reply, 0, header.length);
        System.arraycopy(payload, 0, reply, header.length, payload.length);
        System.arraycopy(TRAILER, 0, reply, header.length + payload.length, TRAILER.length);
        return reply;
    }

    public static byte[] version(String engineVersion) {
        return line("VERSION " + engineVersion);
    }

    public static byte[] serverError(String reason) {
        return line("SERVER_ERROR " + reason);
    }

    public static byte[] clientError(String reason) {
        return line("CLIENT_ERROR " + reason);
    }

    public static byte[] unsupportedCommand() {
        return serverError("unsupported command; Memgrate answers only: " + SUPPORTED_COMMANDS);
    }

    public static byte[] line(String text) {
        return (text + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }
}
