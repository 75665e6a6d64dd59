#!/usr/bin/env bash
# Spark throughput (benchmarks/RESULTS.md): scoring against a plain Java loop, training with 1 and 2
# workers against fit on one JVM, and the two gradient exchanges. Run on a quiet machine:
#   spark/bench.sh [rows]
set -euo pipefail
cd "$(dirname "$0")/.."
# One invocation, so that the other modules resolve to their freshly compiled classes.
mvn -B -ntp -q -pl spark -am test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
flags=$(sed -n 's:.*<spark.jvm.flags>\(.*\)</spark.jvm.flags>.*:\1:p' spark/pom.xml)
cp="spark/target/test-classes:spark/target/classes:$(cat spark/target/bench-classpath.txt)"
# shellcheck disable=SC2086
exec java $flags -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -Dorg.bytedeco.javacpp.maxbytes=0 -Xmx4g \
    -Dlog4j2.configurationFile=spark/src/test/resources/log4j2.properties -cp "$cp" dev.janus.spark.SparkBenchmark "$@"
