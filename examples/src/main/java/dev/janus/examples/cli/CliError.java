package dev.janus.examples.cli;

/** Ends a command with a one-line message and an exit status: 2 for bad arguments or input, 1 for a failure. */
final class CliError extends Exception {
    private static final long serialVersionUID = 1L;

    static final int USAGE = 2, FAILED = 1;

    final int status;
    final boolean showUsage;

    private CliError(String message, int status, boolean showUsage, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.showUsage = showUsage;
    }

    /** Wrong arguments: the message, then a pointer to --help. */
    static CliError usage(String message) {
        return new CliError(message, USAGE, true, null);
    }

    /** Bad input (a path, a file's contents): the message alone. */
    static CliError input(String message, Throwable cause) {
        return new CliError(message, USAGE, false, cause);
    }
}
