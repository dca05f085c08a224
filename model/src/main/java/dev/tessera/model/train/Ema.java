package dev.tessera.model.train;

import dev.tessera.model.StateDict;
import dev.tessera.model.StepScope;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * An exponential moving average of a module's floating-point parameters and buffers:
 * {@code ema ← decay·ema + (1 − decay)·θ} after each step. {@link #swap()} exchanges the averaged and the live
 * weights in place (call it twice to restore), so evaluation and export use the average without a second model.
 */
public final class Ema implements AutoCloseable {
    private final Map<String, Tensor> live;
    private final Map<String, Tensor> shadow = new LinkedHashMap<>();
    private final double decay;

    public Ema(Module module, double decay) {
        this.decay = decay;
        this.live = new LinkedHashMap<>();
        try (NoGradGuard g = new NoGradGuard()) {
            for (var e : StateDict.of(module).entrySet()) {
                if (e.getValue().is_floating_point()) {
                    live.put(e.getKey(), e.getValue());
                    shadow.put(e.getKey(), StepScope.keep(e.getValue().detach().clone()));
                }
            }
        }
    }

    /** One update after an optimiser step. */
    public void update() {
        Scalar keep = new Scalar(decay);
        Scalar take = new Scalar(1 - decay);
        try (NoGradGuard g = new NoGradGuard()) {
            for (var e : shadow.entrySet()) {
                e.getValue().mul_(keep).add_(live.get(e.getKey()), take);
            }
        }
    }

    /** Exchanges averaged and live weights in place. */
    public void swap() {
        try (NoGradGuard g = new NoGradGuard();
                StepScope s = new StepScope()) {
            for (var e : shadow.entrySet()) {
                Tensor p = live.get(e.getKey());
                Tensor tmp = p.detach().clone();
                p.copy_(e.getValue());
                e.getValue().copy_(tmp);
            }
        }
    }

    /** The averaged tensors by key (views owned by this object). */
    public Map<String, Tensor> tensors() {
        return shadow;
    }

    @Override
    public void close() {
        shadow.values().forEach(StepScope::release);
        shadow.clear();
    }
}
