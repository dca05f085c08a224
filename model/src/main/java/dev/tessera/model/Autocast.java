package dev.tessera.model;

import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Mixed precision for a block of code, restoring the previous state on close (libtorch's own switch is not RAII).
 * Autocast state is thread-local: open and close the guard on the thread that runs the ops.
 *
 * <pre>{@code
 * try (var ac = Autocast.enable(DeviceType.CPU, ScalarType.BFloat16)) {
 *     Tensor y = model.forward(x);   // matmuls and linears run in bf16
 * }
 * }</pre>
 */
public final class Autocast implements AutoCloseable {
    static {
        Torch.load();
    }

    private final DeviceType device;
    private final boolean wasEnabled;
    private final ScalarType wasType;
    private boolean closed;

    private Autocast(DeviceType device, boolean enabled, ScalarType type) {
        this.device = device;
        this.wasEnabled = torch.is_autocast_enabled(device);
        this.wasType = torch.get_autocast_dtype(device).intern();
        torch.set_autocast_dtype(device, type);
        torch.set_autocast_enabled(device, enabled);
    }

    /** Turns autocast on for {@code device} with the given low-precision type. */
    public static Autocast enable(DeviceType device, ScalarType type) {
        return new Autocast(device, true, type);
    }

    /** Turns autocast off for {@code device} (e.g. for a float32 loss inside an autocast region). */
    public static Autocast disable(DeviceType device) {
        return new Autocast(device, false, torch.get_autocast_dtype(device).intern());
    }

    /** True when autocast is on for {@code device} on this thread. */
    public static boolean isEnabled(DeviceType device) {
        return torch.is_autocast_enabled(device);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        torch.set_autocast_enabled(device, wasEnabled);
        torch.set_autocast_dtype(device, wasType);
    }
}
