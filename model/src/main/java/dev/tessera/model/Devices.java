package dev.tessera.model;

import java.util.Locale;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;

/** Device selection as PyTorch users write it: {@code cpu}, {@code cuda}, {@code cuda:1}, or {@code auto}. */
public final class Devices {
    static {
        Torch.load();
    }

    private Devices() {}

    /**
     * Parses a device name. {@code auto} is the first CUDA device when one is visible, else the CPU.
     *
     * @throws IllegalArgumentException for a malformed name, or a CUDA device this build or machine does not have
     *     (the message says why and what to do)
     */
    public static Device parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("auto")) {
            return cudaDevices() > 0 ? new Device("cuda:0") : new Device("cpu");
        }
        if (n.equals("cpu")) {
            return new Device("cpu");
        }
        if (n.equals("cuda") || n.startsWith("cuda:")) {
            int index = 0;
            if (n.startsWith("cuda:")) {
                try {
                    index = Integer.parseInt(n.substring(5));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad device '" + name + "': expected cuda:N with N a number");
                }
            }
            if (!torch.hasCUDA()) {
                throw new IllegalArgumentException(
                        "device '" + name + "' requested, but these libtorch natives are a CPU"
                                + " build; rebuild with the Maven profile -Pcuda (see README, GPU)");
            }
            int count = cudaDevices();
            if (index < 0 || index >= count) {
                throw new IllegalArgumentException("device '" + name + "' requested, but " + count
                        + " CUDA device(s) are visible" + (count == 0 ? " (driver, CUDA_VISIBLE_DEVICES?)" : ""));
            }
            return new Device("cuda:" + index);
        }
        throw new IllegalArgumentException("unknown device '" + name + "': use cpu, cuda, cuda:N or auto");
    }

    /** Number of visible CUDA devices (0 on a CPU build). */
    public static int cudaDevices() {
        return torch.hasCUDA() && torch.cuda_is_available() ? torch.cuda_device_count() : 0;
    }

    /** A readable name such as {@code cpu} or {@code cuda:0}. */
    public static String name(Device d) {
        return d.str().getString();
    }
}
