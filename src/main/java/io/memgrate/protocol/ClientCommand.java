package io.memgrate.protocol;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import io.netty.buffer.ByteBuf;

/**
 * One client command line, classified. Memgrate answers only the read-only commands of a configuration
 * endpoint; everything else is {@link Kind#UNSUPPORTED}, so no client can change what is served.
 */
public record ClientCommand(Kind kind) {

    /** The key older engines (before 1.4.14) keep the cluster configuration under. */
    public static final String LEGACY_CONFIG_KEY = "AmazonElastiCache:cluster";

    /** Compiled once: {@code String.split(" +")} would compile it again on every call. */
    private static final Pattern SPACES = Pattern.compile(" +");

    public enum Kind {
        CONFIG_GET_CLUSTER, LEGACY_CONFIG_GET, VERSION, STATS,
        /**
         * {@code stats} with arguments: refused, as some change a cache node's state ({@code stats reset},
         * {@code stats detail on}) or read its keys ({@code stats cachedump}), and discovery clients send plain
         * {@code stats} only.
         */
        STATS_WITH_ARGUMENTS,
        QUIT, UNSUPPORTED
    }

    /**
     * Classifies a line given without its terminator ({@code \n} or {@code \r\n}). Tokens are separated by
     * one or more spaces, as memcached accepts.
     */
    public static ClientCommand parse(byte[] line) {
        String text = new String(line, StandardCharsets.ISO_8859_1);
        String[] tokens = SPACES.split(text.trim());
        return new ClientCommand(classify(tokens));
    }

    /**
     * Where the line that starts at {@code from} ends in {@code bytes[from, to)}: the index of its {@code \n}, or -1
     * while it has none. Request lines end in {@code \n} or {@code \r\n}, as memcached reads them (the server's and
     * the dev playground's rule; replies from upstreams must end in {@code \r\n}).
     */
    public static int lineEnd(ByteBuf bytes, int from, int to) {
        return bytes.indexOf(from, to, (byte) '\n');
    }

    /** The length of the line {@code bytes[from, newline]} without its line end, {@code \n} or {@code \r\n}. */
    public static int lineLength(ByteBuf bytes, int from, int newline) {
        return newline > from && bytes.getByte(newline - 1) == '\r' ? newline - 1 - from : newline - from;
    }

    private static Kind classify(String[] tokens) {
        switch (tokens[0]) {
            case "config":
                return tokens.length == 3 && tokens[1].equals("get") && tokens[2].equals("cluster")
                        ? Kind.CONFIG_GET_CLUSTER : Kind.UNSUPPORTED;
            case "get":
                return tokens.length == 2 && tokens[1].equals(LEGACY_CONFIG_KEY) ? Kind.LEGACY_CONFIG_GET : Kind.UNSUPPORTED;
            case "version":
                return tokens.length == 1 ? Kind.VERSION : Kind.UNSUPPORTED;
            case "stats":
                return tokens.length == 1 ? Kind.STATS : Kind.STATS_WITH_ARGUMENTS;
            case "quit":
                return tokens.length == 1 ? Kind.QUIT : Kind.UNSUPPORTED;
            default:
                return Kind.UNSUPPORTED;
        }
    }
}
