package dev.tessera.app;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
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
        flowDescriptions(cl);
        summariseCommandLists(cl);
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

    /**
     * Joins the lines of every command's description into paragraphs, so picocli wraps them to the terminal's width
     * instead of breaking each source line again. An empty line separates paragraphs; a line starting with a space or
     * "- " or "* " (a list item, an example) keeps its own line.
     */
    private static void flowDescriptions(CommandLine cl) {
        CommandLine.Model.UsageMessageSpec usage = cl.getCommandSpec().usageMessage();
        usage.description(paragraphs(usage.description()));
        for (CommandLine sub : cl.getSubcommands().values()) {
            flowDescriptions(sub);
        }
    }

    /** Command lists show each command's first sentence, like git's and cargo's, not its whole description. */
    private static void summariseCommandLists(CommandLine cl) {
        if (!cl.getSubcommands().isEmpty()) {
            cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST, help -> {
                StringBuilder sb = new StringBuilder();
                int width = 0;
                for (String name : help.subcommands().keySet()) {
                    width = Math.max(width, name.length());
                }
                int room = Math.max(30, cl.getUsageHelpWidth() - width - 4);
                for (var e : help.subcommands().entrySet()) {
                    var usage = e.getValue().commandSpec().usageMessage();
                    String summary = usage.header().length > 0 ? usage.header()[0] : firstSentence(usage.description());
                    summary = summary.replaceAll("[.]$", "");
                    List<String> lines = wrap(summary, room);
                    for (int i = 0; i < lines.size(); i++) {
                        sb.append(String.format("  %-" + width + "s  %s%n", i == 0 ? e.getKey() : "", lines.get(i)));
                    }
                }
                return sb.toString();
            });
            for (CommandLine sub : cl.getSubcommands().values()) {
                summariseCommandLists(sub);
            }
        }
    }

    /** The first sentence of a description, without its full stop. */
    static String firstSentence(String[] description) {
        if (description.length == 0) {
            return "";
        }
        String d = description[0].replace("%n", " ").strip();
        int end = d.indexOf(". ");
        return (end < 0 ? d : d.substring(0, end)).replaceAll("[.]$", "");
    }

    /** {@code text} broken at spaces into lines of at most {@code room} characters (longer words stay whole). */
    static List<String> wrap(String text, int room) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.replace("%n", " ").strip().split("\\s+")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > room) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.length() > 0 ? " " : "").append(word);
        }
        lines.add(line.toString());
        return lines;
    }

    static String[] paragraphs(String[] lines) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = null;
        for (String line : lines) {
            boolean own = line.isEmpty() || line.startsWith(" ") || line.startsWith("- ") || line.startsWith("* ");
            if (own) {
                if (cur != null) {
                    out.add(cur.toString());
                    cur = null;
                }
                out.add(line);
            } else if (cur == null) {
                cur = new StringBuilder(line);
            } else {
                cur.append(' ').append(line.strip());
            }
        }
        if (cur != null) {
            out.add(cur.toString());
        }
        return out.toArray(String[]::new);
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
