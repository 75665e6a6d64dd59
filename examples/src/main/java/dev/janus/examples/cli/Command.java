package dev.janus.examples.cli;

import java.io.PrintStream;
import java.util.List;

/** One subcommand of {@code janus}. */
interface Command {
    String name();

    /** One line for the command list. */
    String summary();

    /** The full help: usage line, what it does, every option. */
    String help();

    /** Runs with the arguments after the command's name; returns the exit status. */
    int run(List<String> args, PrintStream out, PrintStream err) throws CliError;
}
