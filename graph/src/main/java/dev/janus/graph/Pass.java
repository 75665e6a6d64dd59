package dev.janus.graph;

import dev.janus.core.ir.Graph;

/** One graph-to-graph transformation of the compiler; a pass never changes the graph it is given. */
public interface Pass {
    /** A short name for printing, such as "constant-folding". */
    String name();

    Graph run(Graph graph);
}
