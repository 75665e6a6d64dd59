package dev.janus.examples.cli;

import dev.janus.core.JanusException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code janus} command line: {@code janus <command> [options]}, with demo, train, export,
 * export-web, onnx-test, bench and serve. Exit status 0 on success, 2 for bad arguments or bad input (a missing file,
 * a missing column, a value that is not a number: one line that names the file, line and column),
 * 1 when something fails on the way.
 */
public final class Janus {
    static final List<Command> COMMANDS = List.of(new DemoCommand(), new TrainCommand(), new ExportCommand(), new ExportWebCommand(), new OnnxTest(),
            new BenchCommand(), new ServeCommand(),
            new QuantizeCommand());

    private Janus() {
    }

    public static void main(String[] args) throws InterruptedException {
        // Native code that runs off a thread's stack kills the JVM (SIGSEGV, no exception): ONNX Runtime
        // recurses over the command line, which janus's long class path made overflow the 1 MB main
        // stack (OnnxRuntimeModel now loads on a large stack itself). Every command gets 16 MB all the same.
        int[] status = {CliError.FAILED};
        Thread main = new Thread(null, () -> status[0] = run(args, System.out, System.err), "main", 16L << 20);
        main.start();
        main.join();
        System.exit(status[0]);
    }

    /** Runs a command line; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(usage());
            return CliError.USAGE;
        }
        String name = args[0];
        if (name.equals("help") || name.equals("--help") || name.equals("-h")) {
            if (args.length > 1) return run(new String[] {args[1], "--help"}, out, err);
            out.print(usage());
            return 0;
        }
        Command command = find(name);
        if (command == null) {
            err.println("janus: unknown command '" + name + "'");
            err.print(usage());
            return CliError.USAGE;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        if (rest.contains("--help") || rest.contains("-h")) {
            out.print(command.help());
            return 0;
        }
        try {
            return command.run(rest, out, err);
        } catch (CliError e) {
            err.println("janus " + name + ": " + oneLine(e.getMessage()));
            if (e.showUsage) err.println("(janus " + name + " --help shows the options)");
            return e.status;
        } catch (JanusException e) {
            err.println("janus " + name + ": " + oneLine(e.getMessage()));
            return CliError.FAILED;
        }
    }

    /** A file the command will write: its folder is created if it is missing. */
    static Path outputFile(String name) throws CliError {
        Path p = Path.of(name), dir = p.toAbsolutePath().getParent();
        try {
            if (dir != null) Files.createDirectories(dir);
        } catch (IOException e) {
            throw CliError.input("cannot create the folder " + dir + " for " + name + ": " + e.getMessage(), e);
        }
        return p;
    }

    static Command find(String name) {
        for (Command c : COMMANDS) if (c.name().equals(name)) return c;
        return null;
    }

    static String usage() {
        StringBuilder sb = new StringBuilder("usage: janus <command> [options]   (janus <command> --help for its options)\n\ncommands:\n");
        for (Command c : COMMANDS) sb.append(String.format("  %-10s %s%n", c.name(), c.summary()));
        return sb.toString();
    }

    /** Error messages may span lines (a state dict's list of problems); the command line prints one. */
    static String oneLine(String message) {
        return message == null ? "failed" : message.strip().replaceAll("\\s*\\n\\s*", "; ");
    }
}
