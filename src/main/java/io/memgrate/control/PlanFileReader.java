package io.memgrate.control;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

import jakarta.enterprise.context.ApplicationScoped;

import io.memgrate.plan.PlanRefusedException;

/** Reads the plan file for the {@link PlanWatcher}, bounded in what it opens and how much it reads. */
@ApplicationScoped
public class PlanFileReader {

    /** A plan names a few dozen hosts; anything near this is not a plan. */
    static final int MAX_PLAN_BYTES = 64 * 1024;

    /**
     * The file's content as UTF-8, read only when the path leads (through any symlinks) to a regular file of at most
     * {@link #MAX_PLAN_BYTES}, and never more bytes than that: a FIFO or device is never opened, a huge file never
     * read.
     */
    public String read(Path path) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                throw new PlanRefusedException("not-a-file", "it is a " + (attributes.isDirectory() ? "directory"
                        : "FIFO, socket or device") + ", not a regular file: point memgrate.migration.plan-file at the"
                        + " plan's file");
            }
            if (attributes.size() > MAX_PLAN_BYTES) {
                throw tooLarge(attributes.size());
            }
            ByteBuffer content = ByteBuffer.allocate(MAX_PLAN_BYTES + 1);
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
                while (content.hasRemaining() && channel.read(content) >= 0) {
                    // a file that grew since its size was read stops at one byte over the limit
                }
            }
            if (content.position() > MAX_PLAN_BYTES) {
                throw tooLarge(content.position());
            }
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(content.flip()).toString();
        } catch (CharacterCodingException e) {
            throw new PlanRefusedException("unparseable", "it is not UTF-8 text");
        } catch (IOException e) {
            throw new PlanRefusedException("unreadable", "cannot read it: " + e);
        }
    }

    private static PlanRefusedException tooLarge(long bytes) {
        return new PlanRefusedException("too-large", "the file has " + (bytes > MAX_PLAN_BYTES + 1 ? bytes
                : "more than " + MAX_PLAN_BYTES) + " bytes, more than a plan can hold (" + MAX_PLAN_BYTES + ")");
    }
}
