package dev.tessera.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code --serve} protocol of {@code tessera bench model --paired}, against stand-in peers written in sh. */
class PeerServerTest {
    @Test
    void stepsAreAnsweredInTurnWithThePeersOwnTimes(@TempDir Path dir) throws IOException {
        Path peer = script(dir, """
                echo "building the models"
                echo ready
                n=0
                while read name; do
                  n=$((n + 1))
                  if [ "$name" = "late" ]; then echo "other 1.0"; continue; fi
                  echo "$name $n.5"
                done
                """);
        try (Peers.Server s = Peers.Server.start(List.of("sh", peer.toString()), 2)) {
            assertThat(s.step("a")).isEqualTo(1.5);
            assertThat(s.step("b")).isEqualTo(2.5);
            assertThatThrownBy(() -> s.step("late"))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("answered 'other 1.0' to late");
        }
    }

    @Test
    void aPeerThatStopsSaysWhy(@TempDir Path dir) throws IOException {
        Path missing = script(dir, """
                echo "ModuleNotFoundError: No module named 'torch'"
                exit 1
                """);
        assertThatThrownBy(() -> Peers.Server.start(List.of("sh", missing.toString()), 2))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("stopped before it was ready: ModuleNotFoundError")
                .hasMessageContaining("bench/peers/install.sh");
        Path dies = script(dir, """
                echo ready
                read name
                exit 3
                """);
        try (Peers.Server s = Peers.Server.start(List.of("sh", dies.toString()), 2)) {
            assertThatThrownBy(() -> s.step("a"))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("stopped while running a");
        }
    }

    private static Path script(Path dir, String text) throws IOException {
        Path p = Files.createTempFile(dir, "peer", ".sh");
        Files.writeString(p, text);
        return p;
    }
}
