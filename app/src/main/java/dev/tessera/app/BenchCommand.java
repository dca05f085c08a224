package dev.tessera.app;

import picocli.CommandLine.Command;

/** {@code tessera bench}: benchmarks run side by side with the peer a user would pick instead. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Benchmarks, each run side by side with the tool a user would pick instead, printing the ratio.",
            "Peers run with Debian's python3 (bench/peers/install.sh installs them)."
        },
        subcommands = {
            SafetensorsBench.class,
            PrepBench.class,
            ModelBench.class,
            GeometryBench.class,
            SparseConvBenchCommand.class
        })
final class BenchCommand {}
