package dev.tessera.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class CoreParallelTest {
    @Test
    void workersRunOneIntraOpThreadAndTheCallerKeepsItsOwn() {
        Torch.load();
        int before = torch.get_num_threads();
        CoreParallel p = CoreParallel.shared();
        List<Integer> seen = p.map(4, i -> torch.get_num_threads());
        if (p.workers() > 1) {
            assertEquals(List.of(1, 1, 1, 1), seen);
        }
        assertEquals(before, torch.get_num_threads());
    }

    @Test
    void resultsComeInPieceOrderAndFailuresPropagate() {
        List<Integer> out = CoreParallel.shared().map(7, i -> i * i);
        assertEquals(List.of(0, 1, 4, 9, 16, 25, 36), out);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> CoreParallel.shared().map(3, i -> {
                    if (i == 1) {
                        throw new IllegalArgumentException("piece " + i);
                    }
                    return i;
                }));
        assertEquals("piece 1", e.getMessage());
    }
}
