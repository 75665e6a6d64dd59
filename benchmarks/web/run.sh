#!/usr/bin/env bash
# The JavaScript Janus generates against onnxruntime-node on the example models, side by side in one
# Node process: benchmarks/web/run.sh [--quick]. Installs the peer (npm, into benchmarks/web/node_modules)
# when missing, trains and exports the models (WebBench), then times them (bench.mjs); the table goes
# to stdout, every number to benchmarks/results/web/web.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -d benchmarks/web/node_modules/onnxruntime-node ]; then (cd benchmarks/web && npm install); fi
out=benchmarks/results/web
rm -rf "$out"
mvn -q -B -ntp -pl benchmarks -am package -DskipTests
java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" dev.janus.benchmarks.WebBench "$out"
node benchmarks/web/bench.mjs "$out" "$@"
