package dev.janus.core.onnx;

import dev.janus.core.ir.Value;

import java.util.List;

/** Builds the IR for one ONNX node; returns one value per ONNX output (trailing optional ones may be left off). */
@FunctionalInterface
public interface OnnxImportRule {
    List<Value> build(ImportNode node);
}
