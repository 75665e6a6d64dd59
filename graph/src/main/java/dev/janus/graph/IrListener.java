package dev.janus.graph;

import dev.janus.core.ir.Graph;

import java.io.PrintStream;

/** Sees the IR before and after each pass, for printing and for tests. */
@FunctionalInterface
public interface IrListener {
    void afterPass(String pass, Graph before, Graph after);

    /** Prints each pass's result, with the node count before and after. */
    static IrListener printingTo(PrintStream out) {
        return (pass, before, after) -> {
            out.println("== " + pass + " (" + before.nodes().size() + " -> " + after.nodes().size() + " nodes)");
            out.println(after);
        };
    }
}
