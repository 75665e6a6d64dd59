#!/usr/bin/env bash
# Builds the benchmarks and runs them with JMH, then the PyTorch peer scripts when a Python with
# torch is found: benchmarks/run.sh [--quick] [--out DIR] [REGEX...]   (--help for more)
# Writes DIR/jmh.json and DIR/summary.json (default DIR: benchmarks/results).
set -euo pipefail
cd "$(dirname "$0")/.."
# ND4J's and Deeplearning4j's OpenMP threads fight the JVM for the cores (measured on 2 cores: the
# plain-ND4J iris step swung between 2 and 140 ms), so by default everything runs on one OpenMP
# thread. The OpenBLAS that ND4J ships, which Janus calls too, is an OpenMP build and follows it
# (OPENBLAS_NUM_THREADS does not override it), so a default run compares one thread with one
# thread; OMP_NUM_THREADS=2 benchmarks/run.sh gives both cores to every side.
# (The PyTorch peers get the caller's setting back: PyTorch reads OMP_NUM_THREADS for its thread count.)
export JANUS_CALLER_OMP_NUM_THREADS="${OMP_NUM_THREADS-}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
mvn -q -B -ntp -pl benchmarks -am package -DskipTests
exec java -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.janus.benchmarks.Bench "$@"
