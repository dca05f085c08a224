package dev.tessera.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tessera} command line. */
@Command(
        name = "tessera",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Build, train and run 3D shape generative models.",
        subcommands = {CommandLine.HelpCommand.class, InfoCommand.class, ConvertCommand.class, CheckCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code: 0 ok, 1 failed, 2 bad usage. */
    public static int run(String... args) {
        return Cli.commandLine(new Main()).execute(args);
    }
}
