package dev.janus.spark;

import java.io.Serializable;

/**
 * Makes a fresh object on each worker (an eager module, its optimizer's update rule): serialized
 * into the Spark stage, so it must capture only serializable values, e.g. {@code () -> new Net()}.
 */
@FunctionalInterface
public interface ReplicaFactory<T> extends Serializable {
    T create();
}
