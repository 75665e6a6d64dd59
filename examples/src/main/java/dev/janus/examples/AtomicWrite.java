package dev.janus.examples;

import dev.janus.core.JanusException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes a file through a temporary file beside it and a rename, so it is never seen half written; creates the folder. */
public final class AtomicWrite {
    /** What goes into the file. */
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicWrite() {
    }

    public static Path write(Path path, String what, Body body) {
        Path dir = path.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + path.getFileName(), ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                body.writeTo(out);
            }
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return path;
        } catch (IOException e) {
            throw new JanusException("cannot write " + what + " to " + path + ": " + e.getMessage(), e);
        } finally {
            try {
                if (tmp != null) Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the rename happened, or the write failed and the exception above says so
            }
        }
    }
}
