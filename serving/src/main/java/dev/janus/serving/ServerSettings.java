package dev.janus.serving;

/** Server-wide defaults for models whose config leaves them out, and the bounds on requests. */
final class ServerSettings {
    final int maxBatchSize, maxQueueSize, instances;
    final long maxBodyBytes;
    final int maxJsonDepth;
    final long drainMillis;

    ServerSettings(int maxBatchSize, int maxQueueSize, int instances, long maxBodyBytes, int maxJsonDepth, long drainMillis) {
        this.maxBatchSize = maxBatchSize;
        this.maxQueueSize = maxQueueSize;
        this.instances = instances;
        this.maxBodyBytes = maxBodyBytes;
        this.maxJsonDepth = maxJsonDepth;
        this.drainMillis = drainMillis;
    }
}
