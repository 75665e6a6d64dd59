package dev.janus.core.io;

import dev.janus.core.JanusException;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file through a temporary file beside it, flushed to disk and then renamed over the
 * target, so a reader or a crash never sees half a file: every save in Janus goes through here.
 *
 * <p>The temporary file is named {@code .<target>.<pid>-<random>.tmp}. A process killed while it
 * writes leaves one behind; the next save or load of the same target removes those whose process is
 * gone. The new file keeps the permissions of the file it replaces (a new one gets the umask's),
 * and the directory is flushed after the rename, so the rename itself survives a power cut.
 */
public final class AtomicFile {
    /** The temporary files this JVM is writing now: never stale, whatever their age. */
    private static final Set<Path> WRITING = ConcurrentHashMap.newKeySet();
    private static final long PID = ProcessHandle.current().pid();

    private AtomicFile() {
    }

    /** What a save writes, streamed: no need to hold the whole file in memory. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes {@code bytes} to {@code path}; {@code what} names the content in the error message. */
    public static void write(Path path, byte[] bytes, String what) {
        write(path, out -> out.write(bytes), what);
    }

    /**
     * Writes what {@code content} streams to {@code path}. A {@link JanusException} it throws passes
     * through unchanged; either way the target is left as it was and the temporary file is removed.
     */
    public static void write(Path path, Content content, String what) {
        Path target = path.toAbsolutePath();
        Path dir = target.getParent();
        removeStale(target);
        Path tmp = dir.resolve("." + target.getFileName() + "." + PID + "-" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
        WRITING.add(tmp);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                content.writeTo(out);
                out.flush();
                keepPermissions(target, tmp);
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(dir);
        } catch (IOException e) {
            throw new JanusException("cannot write " + what + " to " + path + ": " + e, e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // The write already failed; that error is the one to report.
            }
            WRITING.remove(tmp);
        }
    }

    /**
     * Removes the temporary files that saves of {@code target} left behind when their process was
     * killed; files of a save still running (here or in another live process) stay. Loads call it
     * too. Best effort: a directory it may not write to is left alone.
     */
    public static void removeStale(Path target) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        String prefix = "." + abs.getFileName() + ".";
        if (dir == null || !Files.isDirectory(dir)) return;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, prefix + "*.tmp")) {
            for (Path f : files) {
                String middle = f.getFileName().toString();
                middle = middle.substring(prefix.length(), middle.length() - ".tmp".length());
                int dash = middle.indexOf('-');
                if (dash < 1 || !middle.substring(0, dash).chars().allMatch(Character::isDigit) || WRITING.contains(f)) continue;
                if (isStale(f, Long.parseLong(middle.substring(0, dash)))) Files.deleteIfExists(f);
            }
        } catch (IOException | NumberFormatException | SecurityException ignored) {
            // Cleaning up is a courtesy; the save or load itself must not fail for it.
        }
    }

    /** Stale: written by a process that is gone, or by an earlier holder of a process id now reused. */
    private static boolean isStale(Path tmp, long pid) throws IOException {
        if (pid == PID) return true;   // this JVM's live writes are in WRITING
        Optional<ProcessHandle> writer = ProcessHandle.of(pid);
        if (writer.isEmpty() || !writer.get().isAlive()) return true;
        Optional<Instant> started = writer.get().info().startInstant();
        // A live process that started after the file was last written cannot have written it. The
        // margin covers the start time's coarse clock (Linux counts it from a boot time in seconds).
        return started.isPresent() && started.get().isAfter(Files.getLastModifiedTime(tmp).toInstant().plusSeconds(2));
    }

    /** The new file gets the permissions of the one it replaces, not the temporary file's. */
    private static void keepPermissions(Path target, Path tmp) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(target, PosixFileAttributeView.class);
        if (view == null) return;
        Set<PosixFilePermission> old;
        try {
            old = view.readAttributes().permissions();
        } catch (NoSuchFileException e) {
            return;   // a new file: created with the umask's permissions already
        }
        Files.setPosixFilePermissions(tmp, old);
    }

    /** Flushes the directory entry of the rename (POSIX); where a directory cannot be opened, nothing to do. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Windows cannot open a directory; its rename is durable on its own terms.
        }
    }
}
