package dev.janus.spark;

import dev.janus.core.JanusException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.UUID;

/** Whole files on any Hadoop file system (local, hdfs://, s3a:// ...), read on the driver or written atomically. */
final class HadoopFiles {
    private HadoopFiles() {
    }

    static byte[] read(Configuration conf, String path, String what) {
        Path p = new Path(path);
        try {
            FileSystem fs = p.getFileSystem(conf);
            long size = fs.getFileStatus(p).getLen();
            if (size > Integer.MAX_VALUE - 8) throw new JanusException(path + ": " + size + " bytes is too large for " + what);
            ByteArrayOutputStream buf = new ByteArrayOutputStream((int) size);
            try (FSDataInputStream in = fs.open(p)) {
                in.transferTo(buf);
            }
            return buf.toByteArray();
        } catch (FileNotFoundException e) {
            throw new JanusException("cannot read " + what + ": no file " + path, e);
        } catch (IOException e) {
            throw new JanusException("cannot read " + what + " from " + path + ": " + e, e);
        }
    }

    /**
     * Writes to a temporary name beside the target, syncs, and renames it over the target, so a
     * reader finds the whole old file or the whole new one (the rename is atomic on HDFS and local
     * disks; object stores copy, so there a crash can leave the temporary file, never half a target).
     */
    static void write(Configuration conf, String path, byte[] bytes, String what) {
        Path target = new Path(path);
        Path tmp = new Path(target.getParent(), "_tmp-" + target.getName() + "-" + UUID.randomUUID());
        FileSystem fs = null;
        try {
            fs = target.getFileSystem(conf);
            try (FSDataOutputStream out = fs.create(tmp, false)) {
                out.write(bytes);
                out.hsync();
            }
            if (fs.exists(target)) fs.delete(target, false);
            if (!fs.rename(tmp, target)) throw new IOException("rename of " + tmp + " failed");
        } catch (IOException e) {
            try {
                if (fs != null) fs.delete(tmp, false);
            } catch (IOException ignored) {
                // The write already failed; that error is the one to report.
            }
            throw new JanusException("cannot write " + what + " to " + path + ": " + e, e);
        }
    }
}
