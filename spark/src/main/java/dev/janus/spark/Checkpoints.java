package dev.janus.spark;

import dev.janus.core.JanusException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Per-epoch checkpoints in a directory of any Hadoop file system: "epoch-00003.{suffix}" holds the
 * state after epoch 3 (1-based). Each is written to a temporary name in the same directory, synced,
 * and renamed ({@link HadoopFiles#write}), so a reader finds a whole file or none; the two newest
 * are kept.
 */
final class Checkpoints {
    private static final Pattern NAME = Pattern.compile("epoch-(\\d{5})\\.(\\w+)");
    private final FileSystem fs;
    private final Path dir;
    private final String suffix;
    private final Configuration conf;

    Checkpoints(String dir, String suffix, Configuration conf) {
        this.dir = new Path(dir);
        this.suffix = suffix;
        this.conf = conf;
        try {
            this.fs = this.dir.getFileSystem(conf);
            fs.mkdirs(this.dir);
        } catch (IOException e) {
            throw new JanusException("cannot use checkpoint directory " + dir + ": " + e, e);
        }
    }

    Path path(int epoch) {
        return new Path(dir, String.format("epoch-%05d.%s", epoch, suffix));
    }

    void write(int epoch, byte[] state) {
        HadoopFiles.write(conf, path(epoch).toString(), state, "checkpoint");
        try {
            for (int e = epoch - 2; e >= 1 && fs.exists(path(e)); e--) fs.delete(path(e), false);
        } catch (IOException e) {
            throw new JanusException("cannot remove old checkpoints in " + dir + ": " + e, e);
        }
    }

    /** The newest epoch checkpointed here (0 if none). */
    int latest() {
        int best = 0;
        try {
            for (FileStatus f : fs.listStatus(dir)) {
                Matcher m = NAME.matcher(f.getPath().getName());
                if (m.matches() && m.group(2).equals(suffix)) best = Math.max(best, Integer.parseInt(m.group(1)));
            }
        } catch (FileNotFoundException e) {
            return 0;
        } catch (IOException e) {
            throw new JanusException("cannot list checkpoint directory " + dir + ": " + e, e);
        }
        return best;
    }

    byte[] read(int epoch) {
        return HadoopFiles.read(conf, path(epoch).toString(), "checkpoint");
    }
}
