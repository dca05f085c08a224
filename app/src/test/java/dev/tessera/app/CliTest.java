package dev.tessera.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.data.safetensors.SafetensorsWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {
    @TempDir
    Path dir;

    /** Runs the CLI, returning exit code, stdout and stderr. */
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsEveryCommandWithItsSummaryWithinTheWidth() {
        Run r = run("--help");
        assertThat(r.code()).isZero();
        for (String name : Main.commandLine().getSubcommands().keySet()) {
            assertThat(r.out()).containsPattern("(?m)^  " + name + " +\\S");
        }
        assertThat(r.out()).containsPattern("(?m)^  prep +Turn meshes into training samples");
        assertThat(r.out().lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(80));
        // a description's source lines flow into one paragraph, so picocli wraps them once
        assertThat(Cli.paragraphs(new String[] {"one", "two", "", "- item", "three"}))
                .containsExactly("one two", "", "- item", "three");
    }

    @Test
    void infoPrintsTheRuntime() {
        Run r = run("info");
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .contains("libtorch  2.10.0")
                .contains("devices   cpu")
                .contains("threads")
                .contains("natives");
    }

    @Test
    void inspectListsTensorsAndMetadata() throws Exception {
        Path f = dir.resolve("m.safetensors");
        new SafetensorsWriter()
                .metadata("format", "pt")
                .addFloats("enc.weight", new float[6], 2, 3)
                .write(f);
        Run r = run("inspect", f.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .contains("format: pt")
                .contains("enc.weight")
                .contains("F32")
                .contains("[2, 3]")
                .contains("1 tensors, 6 elements, 24 B");
        Run json = run("inspect", "--json", f.toString());
        assertThat(json.out()).contains("\"name\" : \"enc.weight\"").contains("\"bytes\" : 24");
    }

    @Test
    void inspectFailsWithTheReasonOnAMalformedFile() throws Exception {
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        Run r = run("inspect", f.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip())
                .isEqualTo("tessera inspect: " + f + ": file is 3 bytes, too short for the 8-byte"
                        + " header length (truncated?)");
        Run missing = run("inspect", dir.resolve("nope.safetensors").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("nope.safetensors");
    }

    @Test
    void badUsageExitsTwoWithAHint() {
        Run r = run("inspec");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Did you mean").contains("Try 'tessera --help'");
        Run noArg = run("inspect");
        assertThat(noArg.code()).isEqualTo(2);
        assertThat(noArg.err()).contains("Missing required parameter: 'FILE'");
    }

    @Test
    void helpAndVersion() {
        Run help = run("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("info").contains("inspect").contains("bench");
        Run version = run("--version");
        assertThat(version.out()).startsWith("tessera ");
    }
}
