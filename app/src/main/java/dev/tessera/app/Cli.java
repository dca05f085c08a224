package dev.tessera.app;

import java.io.PrintWriter;
import picocli.CommandLine;

/** Builds the configured picocli command line: exit codes and error messages in the usual CLI conventions. */
final class Cli {
    /** Exit code of a command that ran and succeeded. */
    static final int OK = 0;
    /** Exit code of a command that ran and failed (bad file, failed job). */
    static final int FAILED = 1;
    /** Exit code of a malformed command line. */
    static final int USAGE = 2;

    private Cli() {}

    /** Applies the conventions to {@code cl} and every subcommand registered so far. */
    static CommandLine configure(CommandLine cl) {
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setUsageHelpAutoWidth(true);
        cl.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? USAGE : FAILED);
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("tessera: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            err.println(
                    "Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (ex instanceof CommandLine.ParameterException pe) { // an option checked by the command itself
                err.println("tessera " + commandLine.getCommandName() + ": " + pe.getMessage());
                err.println("Try '" + commandLine.getCommandSpec().qualifiedName() + " --help' for more information.");
                return USAGE;
            }
            err.println("tessera " + commandLine.getCommandName() + ": " + describe(ex));
            if (Boolean.getBoolean("tessera.debug")) {
                ex.printStackTrace(err);
            }
            return FAILED;
        });
        return cl;
    }

    /** One line for an exception: its message (first line only for native errors), or its type. */
    static String describe(Throwable ex) {
        Throwable t = ex;
        while ((t.getMessage() == null || t.getMessage().isBlank()) && t.getCause() != null) {
            t = t.getCause();
        }
        String msg = t.getMessage();
        if (msg == null || msg.isBlank()) {
            return t.getClass().getSimpleName();
        }
        int nl = msg.indexOf('\n');
        return nl < 0 ? msg : msg.substring(0, nl);
    }
}
