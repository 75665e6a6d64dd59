package dev.janus.layers.callbacks;

import dev.janus.core.JanusException;
import dev.janus.core.io.AtomicFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Keras's BackupAndRestore: backs the model up after every epoch, and a fit that finds a backup
 * (after a crash or a kill) restores it and goes on from the epoch after it. The backup of epoch n
 * is two files in the folder: {@code epoch-n.rng}, the model's generator state, then
 * {@code epoch-n.janus}, the model file (weights and optimizer state), each written to a temporary
 * file and renamed, so a backup whose model file exists is whole; older backups are removed after
 * a new one is written. Restored, the generator goes on where it was, so the resumed fit shuffles
 * and drops out as the uninterrupted one would have: it ends with the same weights. A fit that
 * ends normally deletes the backups ({@code deleteCheckpoint(false)} keeps them), as Keras does.
 */
public final class BackupAndRestore extends ModelCallback {
    private static final Pattern BACKUP = Pattern.compile("epoch-([0-9]+)\\.janus");
    private final Path dir;
    private boolean deleteCheckpoint = true;

    public BackupAndRestore(Path backupDir) {
        if (backupDir == null) throw new JanusException("BackupAndRestore: the backup folder is missing");
        this.dir = backupDir;
    }

    /** Whether fit deletes the backups when it ends normally (default true). */
    public BackupAndRestore deleteCheckpoint(boolean on) {
        deleteCheckpoint = on;
        return this;
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        int epoch = latest();
        if (epoch == 0) return;
        long[] state = readState(epoch);
        model.generator().copy().setState(state);   // checked before the weights change
        model.loadWeights(modelFile(epoch));
        model.generator().setState(state);
        model.startAtEpoch(epoch);
        if (verbose > 0) model.output().println("Restored the backup of epoch " + epoch + " from " + dir + "; training goes on from epoch " + (epoch + 1));
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        int n = epoch + 1;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new JanusException("BackupAndRestore: cannot create " + dir + ": " + e, e);
        }
        StringBuilder state = new StringBuilder();
        for (long v : model.generator().state()) state.append(v).append('\n');
        AtomicFile.write(stateFile(n), state.toString().getBytes(StandardCharsets.UTF_8), "the generator state of the backup");
        model.save(modelFile(n));   // last: its existence marks the backup of epoch n whole
        for (int old : epochs()) {
            if (old < n) delete(old);
        }
    }

    @Override
    public void onTrainEnd(Map<String, Double> logs) {
        if (!deleteCheckpoint) return;
        for (int n : epochs()) delete(n);
        try (Stream<Path> rest = Files.exists(dir) ? Files.list(dir) : Stream.empty()) {
            if (rest.findAny().isEmpty()) Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path modelFile(int epoch) {
        return dir.resolve("epoch-" + epoch + ".janus");
    }

    private Path stateFile(int epoch) {
        return dir.resolve("epoch-" + epoch + ".rng");
    }

    /** The epochs whose model file is in the folder. */
    private List<Integer> epochs() {
        List<Integer> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(f -> {
                Matcher m = BACKUP.matcher(f.getFileName().toString());
                if (!m.matches()) return;
                try {
                    out.add(Integer.parseInt(m.group(1)));
                } catch (NumberFormatException tooLarge) {
                    throw new JanusException("BackupAndRestore: " + f + " is named as a backup, but its epoch is past " + Integer.MAX_VALUE
                            + ", so this callback did not write it: remove it from the backup folder");
                }
            });
        } catch (IOException e) {
            throw new JanusException("BackupAndRestore: cannot read " + dir + ": " + e, e);
        }
        return out;
    }

    /** The last whole backup's epoch, or 0. */
    private int latest() {
        int best = 0;
        for (int n : epochs()) best = Math.max(best, n);
        return best;
    }

    private long[] readState(int epoch) {
        Path f = stateFile(epoch);
        try {
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            long[] state = new long[lines.size()];
            for (int i = 0; i < state.length; i++) state[i] = Long.parseLong(lines.get(i).trim());
            return state;
        } catch (IOException | NumberFormatException e) {
            throw new JanusException("BackupAndRestore: cannot read the generator state " + f + " of the backup of epoch " + epoch + ": " + e, e);
        }
    }

    private void delete(int epoch) {
        try {
            Files.deleteIfExists(modelFile(epoch));
            Files.deleteIfExists(stateFile(epoch));
        } catch (IOException e) {
            throw new JanusException("BackupAndRestore: cannot delete the backup of epoch " + epoch + " in " + dir + ": " + e, e);
        }
    }
}
