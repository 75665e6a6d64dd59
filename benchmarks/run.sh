#!/usr/bin/env bash
# Builds the benchmarks and runs them with JMH: benchmarks/run.sh [--quick] [--out DIR] [REGEX...]
# Writes DIR/jmh.json and DIR/summary.json (default DIR: benchmarks/results).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -ntp -pl benchmarks -am package -DskipTests
exec java -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.janus.benchmarks.Bench "$@"
