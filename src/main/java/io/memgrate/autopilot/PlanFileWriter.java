package io.memgrate.autopilot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;

import org.jboss.logging.Logger;

import io.memgrate.control.PlanFileReader;
import io.memgrate.plan.PlanFile;
import io.memgrate.plan.PlanRefusedException;

/** Writes plans over the plan file atomically: a file in the same folder, renamed over the plan. */
final class PlanFileWriter implements PlanWriter {

    private static final Logger LOG = Logger.getLogger(PlanFileWriter.class);

    private final Path file;
    private final PlanFileReader reader;

    PlanFileWriter(Path file, PlanFileReader reader) {
        this.file = file;
        this.reader = reader;
    }

    @Override
    public boolean write(long inForce, String content) throws IOException {
        try {
            if (PlanFile.parse(reader.read(file)).revision() != inForce) {
                return false;
            }
        } catch (PlanRefusedException e) {
            return false;
        }
        Path temporary = null;
        try {
            // a plan reached through a symlink is replaced where it lives, and the link left as it is
            Path plan = file.toRealPath();
            temporary = Files.createTempFile(plan.getParent(), ".memgrate-autopilot-", ".yaml");
            Files.writeString(temporary, content, StandardCharsets.UTF_8);
            keepPermissions(plan, temporary);
            Files.move(temporary, plan, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (IOException e) {
            deleteQuietly(temporary);
            throw new IOException("cannot write the plan file " + file + ": " + e, e);
        }
    }

    @Override
    public String where() {
        return "the plan file " + file;
    }

    /** A temporary file is made readable by its owner only: the plan keeps the permissions it had. */
    private static void keepPermissions(Path plan, Path temporary) throws IOException {
        if (Files.getFileStore(plan).supportsFileAttributeView(PosixFileAttributeView.class)) {
            Files.setPosixFilePermissions(temporary, Files.getPosixFilePermissions(plan));
        }
    }

    private static void deleteQuietly(Path temporary) {
        if (temporary == null) {
            return;
        }
        try {
            Files.deleteIfExists(temporary);
        } catch (IOException e) {
            LOG.warnf("Autopilot: could not delete %s (%s)", temporary, e.getMessage());
        }
    }
}
