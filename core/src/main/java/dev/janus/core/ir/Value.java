package dev.janus.core.ir;

import dev.janus.core.TensorType;

/** A value in a graph: a graph input, a parameter, a constant, or an output of a node. */
public final class Value {
    public enum Kind { INPUT, PARAMETER, CONSTANT, NODE }

    final Graph owner;
    private final int id;
    private final String name;
    private final TensorType type;
    private final Kind kind;
    private final Node producer;
    private final int outputIndex;

    Value(Graph owner, int id, String name, TensorType type, Kind kind, Node producer, int outputIndex) {
        this.owner = owner;
        this.id = id;
        this.name = name;
        this.type = type;
        this.kind = kind;
        this.producer = producer;
        this.outputIndex = outputIndex;
    }

    public int id() {
        return id;
    }

    /** The given name, or "%id" for an unnamed value. */
    public String name() {
        return name != null ? name : "%" + id;
    }

    public boolean hasName() {
        return name != null;
    }

    public TensorType type() {
        return type;
    }

    public Kind kind() {
        return kind;
    }

    /** The node that computes this value; null unless kind is NODE. */
    public Node producer() {
        return producer;
    }

    /** Which output of its producer this is. */
    public int outputIndex() {
        return outputIndex;
    }

    @Override
    public String toString() {
        return name();
    }
}
