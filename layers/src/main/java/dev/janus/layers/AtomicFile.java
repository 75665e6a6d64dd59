package dev.janus.layers;

import dev.janus.core.JanusException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes a file through a temporary file beside it and a rename, so it is never seen half written. */
final class AtomicFile {
    private AtomicFile() {
    }

    static void write(Path path, byte[] bytes, String what) {
        Path dir = path.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + path.getFileName(), ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new JanusException("cannot write " + what + " to " + path + ": " + e, e);
        } finally {
            try {
                if (tmp != null) Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the rename happened, or the write failed and the exception above says so
            }
        }
    }
}
