package dev.janus.serving;

import dev.janus.core.TensorType;
import dev.janus.export.OnnxRuntimeModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A model on ONNX Runtime (a per-model option, for ops Janus lacks): one session, which ONNX Runtime lets threads share. */
final class OrtEngine implements Engine {
    private final OnnxRuntimeModel session;
    private final List<TensorSpec> inputs = new ArrayList<>(), outputs = new ArrayList<>();

    OrtEngine(byte[] onnx) {
        session = OnnxRuntimeModel.load(onnx);
        for (Map.Entry<String, TensorType> e : session.inputs().entrySet()) inputs.add(new TensorSpec(e.getKey(), e.getValue().dtype(), e.getValue().shape()));
        for (Map.Entry<String, TensorType> e : session.outputs().entrySet()) outputs.add(new TensorSpec(e.getKey(), e.getValue().dtype(), e.getValue().shape()));
    }

    @Override
    public String platform() {
        return "onnxruntime_onnx";
    }

    @Override
    public List<TensorSpec> inputs() {
        return inputs;
    }

    @Override
    public List<TensorSpec> outputs() {
        return outputs;
    }

    @Override
    public Runner newRunner() {
        return session::run;
    }

    @Override
    public void close() {
        session.close();
    }
}
