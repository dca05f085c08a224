package dev.tessera.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tessera} command line. */
@Command(
        name = "tessera",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Build, train and run 3D shape generative models.",
        footer = {"", "Run 'tessera COMMAND --help' for a command's options."})
public final class Main {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code: 0 ok, 1 failed, 2 bad usage. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The command line with every command registered, one per line, in the order of the data flow. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.addSubcommand(new CommandLine.HelpCommand());
        cl.addSubcommand(new InfoCommand());
        cl.addSubcommand(new DemoCommand());
        cl.addSubcommand(new ConvertCommand());
        cl.addSubcommand(new CheckCommand());
        cl.addSubcommand(new InspectCommand());
        cl.addSubcommand(new SynthCommand());
        cl.addSubcommand(new PrepCommand());
        cl.addSubcommand(new DatasetCommand());
        cl.addSubcommand(new TrainVaeCommand());
        cl.addSubcommand(new EncodeCommand());
        cl.addSubcommand(new ReconstructCommand());
        cl.addSubcommand(new EvaluateCommand());
        cl.addSubcommand(new TrainDitCommand());
        cl.addSubcommand(new GenerateCommand());
        cl.addSubcommand(new SdfCommand());
        cl.addSubcommand(new McCommand());
        cl.addSubcommand(new WatertightCommand());
        cl.addSubcommand(new MetricsCommand());
        cl.addSubcommand(new RenderCommand());
        cl.addSubcommand(new BenchCommand());
        return Cli.configure(cl);
    }
}
