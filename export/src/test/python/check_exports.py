"""Checks exported models with ONNX's own checker (full check, with shape inference).

Run the export tests with JANUS_EXPORT_DUMP set to a folder, then this script on that folder:

    JANUS_EXPORT_DUMP=/tmp/janus-exports mvn -q -pl export -am test
    python check_exports.py /tmp/janus-exports

Needs the onnx package; the Java tests never run it.
"""
import sys
from pathlib import Path

import onnx

failed = 0
files = sorted(Path(sys.argv[1]).glob("*.onnx"))
for f in files:
    try:
        onnx.checker.check_model(onnx.load(f), full_check=True)
    except Exception as e:  # report every failing model, not just the first
        failed += 1
        print(f"{f.name}: {e}")
print(f"{len(files) - failed} of {len(files)} models pass onnx.checker (full_check)")
sys.exit(1 if failed else 0)
