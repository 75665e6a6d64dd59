package dev.janus.serving;

/** Server-wide defaults for models whose config leaves them out, and how long an unloading version may drain. */
final class ServerSettings {
    final int maxBatchSize, maxQueueSize, instances;
    final long drainMillis;

    ServerSettings(int maxBatchSize, int maxQueueSize, int instances, long drainMillis) {
        this.maxBatchSize = maxBatchSize;
        this.maxQueueSize = maxQueueSize;
        this.instances = instances;
        this.drainMillis = drainMillis;
    }
}
