package io.memgrate.protocol;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** Reads the engine version from an upstream's answer to {@code version}. */
public final class EngineVersion {

    private static final Pattern VERSION_LINE = Pattern.compile("VERSION [0-9A-Za-z.+_-]{1,64}");

    private EngineVersion() {
    }

    /** Parses one complete {@code VERSION x.y.z\r\n} line; throws {@link MalformedReplyException} for anything else. */
    public static String parse(byte[] reply) {
        String line = new String(reply, 0, UpstreamReply.lineEnd(reply, reply.length, 0) - 2, StandardCharsets.US_ASCII);
        if (!VERSION_LINE.matcher(line).matches()) {
            throw new MalformedReplyException("version-line", "version answer '" + UpstreamReply.printable(line) + "' is not 'VERSION <x.y.z>'");
        }
        return line.substring("VERSION ".length());
    }
}
