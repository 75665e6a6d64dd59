#!/usr/bin/env bash
# Builds the benchmarks and runs them with JMH, then the PyTorch peer scripts when a Python with
# torch is found: benchmarks/run.sh [--quick] [--out DIR] [REGEX...]   (--help for more)
# Writes DIR/jmh.json and DIR/summary.json (default DIR: benchmarks/results).
set -euo pipefail
cd "$(dirname "$0")/.."
# ND4J's and Deeplearning4j's OpenMP threads fight the JVM for the cores (measured on 2 cores: the
# plain-ND4J iris step swung between 2 and 140 ms), so by default everything runs on one thread:
# ND4J's OpenMP, OpenBLAS 0.3.31 (a pthreads build, which takes OMP_NUM_THREADS as its thread count
# when it starts) and Janus's own kernels (CpuThreads reads the same variable). A default run thus
# compares one thread with one thread; OMP_NUM_THREADS=2 benchmarks/run.sh gives both cores to
# every side (Janus then picks OpenBLAS's threads per product by size).
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE pass through as the caller set them: the summary says
# which kernel OpenBLAS ran ("blas"); unset them (env -u ...) to measure what a user gets.
# (The PyTorch peers get the caller's setting back: PyTorch reads OMP_NUM_THREADS for its thread count.)
export JANUS_CALLER_OMP_NUM_THREADS="${OMP_NUM_THREADS-}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
mvn -q -B -ntp -pl benchmarks -am package -DskipTests
exec java -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.janus.benchmarks.Bench "$@"
