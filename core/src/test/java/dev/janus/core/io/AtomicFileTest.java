package dev.janus.core.io;

import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Saves are atomic, leave nothing behind (not even after a kill), and keep the file's permissions. */
@Tag("reliability")
class AtomicFileTest {
    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    /** The id of a process that has ended. */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor(10, TimeUnit.SECONDS);
        return p.pid();
    }

    @Test
    void aSaveRemovesWhatKilledSavesLeftButNotALiveWritersFile(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("m.bin");
        Path dead = dir.resolve(".m.bin." + deadPid() + "-k1ll3d.tmp");
        Path live = dir.resolve(".m.bin." + ProcessHandle.current().parent().orElseThrow().pid() + "-l1ve.tmp");
        Path reused = dir.resolve(".m.bin." + ProcessHandle.current().parent().orElseThrow().pid() + "-0ld.tmp");
        Path other = dir.resolve(".other.bin." + deadPid() + "-x.tmp");
        for (Path p : List.of(dead, live, reused, other)) Files.write(p, new byte[100]);
        // Written long before the live process with that id started: left by an earlier holder of the id.
        Files.setLastModifiedTime(reused, FileTime.from(Instant.parse("2001-01-01T00:00:00Z")));
        AtomicFile.write(target, "hello".getBytes(StandardCharsets.UTF_8), "greeting");
        assertEquals(List.of(live.getFileName().toString(), other.getFileName().toString(), "m.bin"), names(dir),
                "the dead writer's and the reused id's files are gone; a live process's file and another target's stay");
        Files.write(dead, new byte[100]);
        SafeTensors.save(dir.resolve("t.safetensors"), Map.of("x", Tensor.zeros(2)));
        Files.write(dir.resolve(".t.safetensors." + deadPid() + "-k.tmp"), new byte[10]);
        SafeTensors.load(dir.resolve("t.safetensors"));
        assertTrue(names(dir).stream().noneMatch(n -> n.startsWith(".t.safetensors.")), "a load cleans up too: " + names(dir));
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporaryFile(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("m.bin");
        AtomicFile.write(target, new byte[] {1, 2, 3}, "data");
        JanusException e = assertThrows(JanusException.class, () -> AtomicFile.write(target, out -> {
            out.write(new byte[1 << 20]);
            throw new JanusException("the content failed half way");
        }, "data"));
        assertEquals("the content failed half way", e.getMessage());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
        assertEquals(List.of("m.bin"), names(dir));
    }

    @Test
    void theReplacedFileKeepsItsPermissionsAndANewOneFollowsTheUmask(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("shared.bin");
        AtomicFile.write(target, new byte[] {1}, "data");
        Path plain = Files.createFile(dir.resolve("plain.bin"));   // what the umask gives a new file
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(target));
        Set<PosixFilePermission> rw_r__r__ = PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(target, rw_r__r__);
        AtomicFile.write(target, new byte[] {2}, "data");
        assertEquals(rw_r__r__, Files.getPosixFilePermissions(target), "once left 0600, the temporary file's mode");
        Set<PosixFilePermission> rw_rw____ = PosixFilePermissions.fromString("rw-rw----");
        Files.setPosixFilePermissions(target, rw_rw____);
        SafeTensors.save(target, Map.of("x", Tensor.zeros(1)));
        assertEquals(rw_rw____, Files.getPosixFilePermissions(target));
    }
}
