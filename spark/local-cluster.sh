#!/usr/bin/env bash
# The Spark module's main checks on local-cluster[2,1,1024] (executors in their own JVMs), from the
# Maven jars: Spark starts such executors without a Spark distribution only with its testing
# switches (SPARK_TESTING, SPARK_SCALA_VERSION, spark.testing, spark.test.home), set here.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -pl spark -am test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
flags=$(sed -n 's:.*<spark.jvm.flags>\(.*\)</spark.jvm.flags>.*:\1:p' spark/pom.xml)
home=$(mktemp -d)
trap '[ -n "${KEEP_SPARK_HOME:-}" ] || rm -rf "$home"' EXIT
echo "executor logs: $home/work"
# Absolute: in testing mode the executors get this class path, and start in their own directories.
cp="$PWD/spark/target/test-classes:$PWD/spark/target/classes:$(cat spark/target/bench-classpath.txt)"
# shellcheck disable=SC2086
SPARK_TESTING=1 SPARK_SCALA_VERSION=2.13 java $flags -Dspark.testing=true -Dspark.test.home="$home" \
    -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -Dorg.bytedeco.javacpp.maxbytes=0 -Xmx3g \
    -Dlog4j2.configurationFile=spark/src/test/resources/log4j2.properties -cp "$cp" dev.janus.spark.LocalClusterCheck
