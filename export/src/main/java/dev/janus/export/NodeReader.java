package dev.janus.export;

import dev.janus.core.Tensor;
import dev.janus.core.ir.GraphEmitter;
import dev.janus.core.ir.Value;
import dev.janus.core.onnx.ImportNode;
import dev.janus.core.onnx.OnnxException;
import dev.janus.core.ops.Emitter;
import dev.janus.export.proto.Onnx.AttributeProto;
import dev.janus.export.proto.Onnx.AttributeProto.AttributeType;
import dev.janus.export.proto.Onnx.GraphProto;
import dev.janus.export.proto.Onnx.NodeProto;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** One ONNX node as an import rule sees it; remembers which attributes the rule read. */
final class NodeReader implements ImportNode {
    private final NodeProto proto;
    private final GraphReader graph;
    private final Map<String, AttributeProto> attrs = new LinkedHashMap<>();
    private final Set<String> read = new HashSet<>();
    private final GraphEmitter emitter;

    NodeReader(NodeProto proto, GraphReader graph) {
        this.proto = proto;
        this.graph = graph;
        for (AttributeProto a : proto.getAttributeList()) {
            if (attrs.put(a.getName(), a) != null) throw error("attribute '" + a.getName() + "' is given twice");
        }
        this.emitter = new GraphEmitter(graph.graph());
        emitter.label(name());
    }

    @Override
    public String opType() {
        return proto.getOpType();
    }

    @Override
    public String name() {
        return proto.getName().isEmpty() ? proto.getOpType() : proto.getName();
    }

    @Override
    public int opset() {
        return graph.opset();
    }

    @Override
    public int inputCount() {
        return proto.getInputCount();
    }

    @Override
    public boolean hasInput(int i) {
        return i < proto.getInputCount() && !proto.getInput(i).isEmpty();
    }

    @Override
    public Value input(int i) {
        if (!hasInput(i)) throw error("input " + i + " is missing");
        return graph.value(proto.getInput(i), this);
    }

    @Override
    public List<Value> inputs() {
        List<Value> in = new ArrayList<>();
        for (int i = 0; i < proto.getInputCount(); i++) if (hasInput(i)) in.add(input(i));
        return in;
    }

    @Override
    public boolean isConstant(int i) {
        return hasInput(i) && known(proto.getInput(i)) != null;
    }

    /** A constant, or a value computed in the graph whose elements are all known at import (a static shape, say). */
    private Tensor known(String name) {
        Tensor t = graph.constant(name);
        return t != null ? t : graph.isDefined(name) ? graph.value(name, this).type().value() : null;
    }

    @Override
    public Tensor constant(int i) {
        if (!hasInput(i)) throw error("input " + i + " is missing");
        Tensor t = known(proto.getInput(i));
        if (t == null) {
            throw new ConstantInputException(opType(), proto.getInput(i), prefix() + "input " + i + " ('" + proto.getInput(i) + "') must be known when the"
                    + " model is read (an initializer or a Constant node), since Janus takes it as an attribute;"
                    + " a graph input can be fixed with ImportOptions.constants");
        }
        return t;
    }

    @Override
    public int outputCount() {
        return proto.getOutputCount();
    }

    List<String> outputNames() {
        return proto.getOutputList();
    }

    @Override
    public boolean has(String attr) {
        return attrs.containsKey(attr);
    }

    private AttributeProto attr(String name, AttributeType want) {
        read.add(name);
        AttributeProto a = attrs.get(name);
        if (a == null) return null;
        AttributeType got = kind(a);
        if (got != want) throw error("attribute '" + name + "' must be " + want + ", got " + got);
        return a;
    }

    /** The declared type; models from before types were required only set the field. */
    private static AttributeType kind(AttributeProto a) {
        if (a.hasType() && a.getType() != AttributeType.UNDEFINED) return a.getType();
        if (a.hasF()) return AttributeType.FLOAT;
        if (a.hasI()) return AttributeType.INT;
        if (a.hasS()) return AttributeType.STRING;
        if (a.hasT()) return AttributeType.TENSOR;
        if (a.hasG()) return AttributeType.GRAPH;
        if (a.getFloatsCount() > 0) return AttributeType.FLOATS;
        if (a.getIntsCount() > 0) return AttributeType.INTS;
        return AttributeType.UNDEFINED;
    }

    @Override
    public int getInt(String name, int fallback) {
        AttributeProto a = attr(name, AttributeType.INT);
        if (a == null) return fallback;
        if (a.getI() < Integer.MIN_VALUE || a.getI() > Integer.MAX_VALUE) throw error("attribute '" + name + "' = " + a.getI() + " is out of range");
        return (int) a.getI();
    }

    @Override
    public double getFloat(String name, double fallback) {
        AttributeProto a = attr(name, AttributeType.FLOAT);
        return a == null ? fallback : a.getF();
    }

    @Override
    public String getString(String name, String fallback) {
        AttributeProto a = attr(name, AttributeType.STRING);
        return a == null ? fallback : a.getS().toString(StandardCharsets.UTF_8);
    }

    @Override
    public long[] getInts(String name) {
        AttributeProto a = attr(name, AttributeType.INTS);
        return a == null ? null : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    @Override
    public double[] getFloats(String name) {
        AttributeProto a = attr(name, AttributeType.FLOATS);
        return a == null ? null : a.getFloatsList().stream().mapToDouble(Float::doubleValue).toArray();
    }

    /** A graph attribute (an If branch, a Loop body); an error when it is missing. */
    GraphProto getGraph(String name) {
        AttributeProto a = attr(name, AttributeType.GRAPH);
        if (a == null) throw error("attribute '" + name + "' (a graph) is missing");
        return a.getG();
    }

    /** The name input {@code i} has in the file. */
    String inputName(int i) {
        return proto.getInput(i);
    }

    @Override
    public Tensor getTensor(String name) {
        AttributeProto a = attr(name, AttributeType.TENSOR);
        return a == null ? null : OnnxTensors.read(a.getT(), "attribute '" + name + "' of ONNX node '" + name() + "'", graph.baseDir());
    }

    @Override
    public void ignore(String... names) {
        read.addAll(List.of(names));
    }

    /** Attributes the node has that nothing read, sorted. */
    Set<String> unread() {
        Set<String> left = new TreeSet<>(attrs.keySet());
        left.removeAll(read);
        return left;
    }

    @Override
    public Emitter<Value> emit() {
        return emitter;
    }

    @Override
    public OnnxException error(String why) {
        return new OnnxException(opType(), prefix() + why, null);
    }

    String prefix() {
        return "ONNX node '" + name() + "' (" + opType() + "): ";
    }
}
