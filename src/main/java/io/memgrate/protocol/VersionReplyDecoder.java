package io.memgrate.protocol;

import java.util.regex.Pattern;

import io.netty.buffer.ByteBuf;

/** Decodes the answer to {@code version}: one line, {@code VERSION x.y.z}. */
final class VersionReplyDecoder extends FramedDecoder<String> {

    private static final Pattern VERSION_LINE = Pattern.compile("VERSION [0-9A-Za-z.+_-]{1,64}");

    private final LineScanner lines = new LineScanner();
    private String line;

    @Override
    int frame(ByteBuf in, int start, int end) {
        line = lines.next(in, start, end);
        return line == null ? -1 : lines.consumed();
    }

    @Override
    String value(ByteBuf in, int start, int length) {
        if (!VERSION_LINE.matcher(line).matches()) {
            throw new MalformedReplyException("version-line", "version answer '" + printable(line) + "' is not 'VERSION <x.y.z>'");
        }
        return line.substring("VERSION ".length());
    }
}
