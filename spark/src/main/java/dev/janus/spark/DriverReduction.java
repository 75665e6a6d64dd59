package dev.janus.spark;

import dev.janus.core.JanusException;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.TaskKilledException;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;

/**
 * Combines through the driver, for models too large to relay through allGather: the driver listens
 * on a port for the whole training run; each worker of each barrier-stage attempt connects once and
 * then, each step, sends its vector and receives the combined one. The driver reads the workers'
 * vectors in worker order, combines them ({@link GradientExchange#combine}) and sends the result to
 * each: per step it receives and sends workers x (model size), not workers^2 x as allGather does.
 * Connections carry a random token, so nothing else can join. When one worker of an attempt fails,
 * the driver closes that attempt's connections, and the other workers fail at once instead of
 * waiting: Spark then retries the stage.
 */
final class DriverReduction implements AutoCloseable {
    private final ServerSocket server;
    private final long token = new SecureRandom().nextLong();
    private final int workers;
    private final Map<String, Socket[]> attempts = new HashMap<>();
    private final Thread acceptor;
    private volatile boolean closed;

    /** Where workers connect, with the token; serializable into the stage's closure. */
    static final class Address implements Serializable {
        private static final long serialVersionUID = 1;
        final String host;
        final int port;
        final long token;

        Address(String host, int port, long token) {
            this.host = host;
            this.port = port;
            this.token = token;
        }
    }

    DriverReduction(String host, int workers) {
        this.workers = workers;
        try {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
        } catch (IOException e) {
            throw new JanusException("cannot listen on " + host + " for the gradient reduction: " + e, e);
        }
        acceptor = new Thread(this::accept, "janus-driver-reduction");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    Address address() {
        return new Address(server.getInetAddress().getHostAddress(), server.getLocalPort(), token);
    }

    private void accept() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            try {
                s.setTcpNoDelay(true);
                s.setSoTimeout(10_000);
                DataInputStream in = new DataInputStream(s.getInputStream());
                if (in.readLong() != token) throw new IOException("wrong token");
                String attempt = in.readUTF();
                int w = in.readInt();
                if (w < 0 || w >= workers) throw new IOException("worker " + w + " of " + workers);
                s.setSoTimeout(0);
                Socket[] group;
                synchronized (attempts) {
                    group = attempts.computeIfAbsent(attempt, k -> new Socket[workers]);
                    group[w] = s;
                    for (Socket c : group) if (c == null) group = null;
                    if (group != null) attempts.remove(attempt);
                }
                if (group != null) {
                    Socket[] all = group;
                    Thread t = new Thread(() -> reduce(all), "janus-driver-reduction-" + attempt);
                    t.setDaemon(true);
                    t.start();
                }
            } catch (IOException e) {
                closeQuietly(s);
            }
        }
    }

    /** Rounds until every worker says it is done (a negative weight), or one connection fails. */
    private void reduce(Socket[] group) {
        try {
            DataInputStream[] in = new DataInputStream[workers];
            DataOutputStream[] out = new DataOutputStream[workers];
            for (int w = 0; w < workers; w++) {
                in[w] = new DataInputStream(new BufferedInputStream(group[w].getInputStream(), 1 << 16));
                out[w] = new DataOutputStream(new BufferedOutputStream(group[w].getOutputStream(), 1 << 16));
            }
            int[] weights = new int[workers];
            float[][] vectors = new float[workers][];
            while (true) {
                int done = 0;
                for (int w = 0; w < workers; w++) {
                    weights[w] = in[w].readInt();
                    if (weights[w] < 0) {
                        done++;
                        continue;
                    }
                    vectors[w] = readFloats(in[w], in[w].readInt());
                }
                if (done == workers) return;
                if (done > 0) throw new IOException("some workers stopped while others go on");
                byte[] result = bytes(GradientExchange.combine(weights, vectors));
                for (DataOutputStream o : out) {
                    o.write(result);
                    o.flush();
                }
            }
        } catch (IOException e) {
            // A worker failed or was killed: end the others' wait; Spark retries the stage.
        } finally {
            for (Socket s : group) closeQuietly(s);
        }
    }

    private static float[] readFloats(DataInputStream in, int n) throws IOException {
        if (n < 0 || n > (Integer.MAX_VALUE - 8) / 4) throw new IOException("bad length " + n);
        byte[] raw = new byte[4 * n];
        in.readFully(raw);
        float[] v = new float[n];
        ByteBuffer.wrap(raw).asFloatBuffer().get(v);
        return v;
    }

    private static byte[] bytes(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    private static void closeQuietly(Socket s) {
        try {
            if (s != null) s.close();
        } catch (IOException ignored) {
            // Closing is all that is left to do.
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // Nothing more to release.
        }
        synchronized (attempts) {
            for (Socket[] g : attempts.values()) for (Socket s : g) closeQuietly(s);
            attempts.clear();
        }
    }

    /** A worker's side: one connection for the stage attempt, one round per {@link #average}. */
    static final class Client implements GradientExchange {
        private final Socket socket;
        private final DataOutputStream out;
        private final InputStream in;
        private final BarrierTaskContext ctx;

        Client(Address a, BarrierTaskContext ctx) {
            this.ctx = ctx;
            try {
                socket = new Socket(a.host, a.port);
                socket.setTcpNoDelay(true);
                // Reads wake up every second to see whether Spark killed the task.
                socket.setSoTimeout(1000);
                out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
                in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
                out.writeLong(a.token);
                out.writeUTF(ctx.stageId() + "." + ctx.stageAttemptNumber());
                out.writeInt(ctx.partitionId());
                out.flush();
            } catch (IOException e) {
                throw new JanusException("worker " + ctx.partitionId() + ": cannot reach the driver's gradient reduction at "
                        + a.host + ":" + a.port + ": " + e, e);
            }
        }

        @Override
        public float[] average(float[] local, int weight) {
            try {
                out.writeInt(weight);
                out.writeInt(local.length);
                out.write(bytes(local));
                out.flush();
                byte[] raw = new byte[4 * local.length];
                for (int at = 0; at < raw.length; ) {
                    try {
                        int n = in.read(raw, at, raw.length - at);
                        if (n < 0) throw new IOException("the driver closed the connection (another worker failed)");
                        at += n;
                    } catch (SocketTimeoutException e) {
                        if (ctx.isInterrupted()) throw new TaskKilledException("killed while waiting for the gradient reduction");
                    }
                }
                float[] v = new float[local.length];
                ByteBuffer.wrap(raw).asFloatBuffer().get(v);
                return v;
            } catch (IOException e) {
                throw new JanusException("worker " + ctx.partitionId() + ": gradient reduction failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            try {
                out.writeInt(-1);
                out.flush();
            } catch (IOException ignored) {
                // The connection is gone already.
            }
            closeQuietly(socket);
        }
    }
}
