package dev.janus.spark;

import dev.janus.core.JanusException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Per-epoch checkpoints in a directory of any Hadoop file system: "epoch-00003.{suffix}" holds the
 * state after epoch 3 (1-based). Each is written to a temporary name in the same directory, synced,
 * and renamed, so a reader finds a whole file or none; the two newest are kept.
 */
final class Checkpoints {
    private static final Pattern NAME = Pattern.compile("epoch-(\\d{5})\\.(\\w+)");
    private final FileSystem fs;
    private final Path dir;
    private final String suffix;

    Checkpoints(String dir, String suffix, Configuration conf) {
        this.dir = new Path(dir);
        this.suffix = suffix;
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
        Path target = path(epoch), tmp = new Path(dir, "_tmp-" + target.getName() + "-" + UUID.randomUUID());
        try {
            try (FSDataOutputStream out = fs.create(tmp, false)) {
                out.write(state);
                out.hsync();
            }
            if (fs.exists(target)) fs.delete(target, false);
            if (!fs.rename(tmp, target)) throw new IOException("rename of " + tmp + " to " + target + " failed");
            for (int e = epoch - 2; e >= 1; e--) {
                if (!fs.exists(path(e))) break;
                fs.delete(path(e), false);
            }
        } catch (IOException e) {
            try {
                fs.delete(tmp, false);
            } catch (IOException ignored) {
                // The write already failed; that error is the one to report.
            }
            throw new JanusException("cannot write checkpoint " + target + ": " + e, e);
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
        Path p = path(epoch);
        try (FSDataInputStream in = fs.open(p)) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            in.transferTo(buf);
            return buf.toByteArray();
        } catch (IOException e) {
            throw new JanusException("cannot read checkpoint " + p + ": " + e, e);
        }
    }
}
