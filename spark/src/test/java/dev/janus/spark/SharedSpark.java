package dev.janus.spark;

import org.apache.spark.sql.SparkSession;

/**
 * One local Spark for all the tests of this module (starting one takes seconds; surefire runs the
 * test classes in one JVM, so they all share it): two cores, and up to 4 attempts per task, as a
 * cluster retries (plain local mode gives a task one attempt); no UI, and a shuffle into 2
 * partitions (Spark's default 200 would mean 200 tiny tasks for the tests' small frames).
 */
final class SharedSpark {
    private static SparkSession spark;

    private SharedSpark() {
    }

    static synchronized SparkSession get() {
        if (spark == null) {
            spark = SparkSession.builder()
                    .master("local[2,4]")
                    .appName("janus-spark-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.ui.showConsoleProgress", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .getOrCreate();
        }
        return spark;
    }
}
