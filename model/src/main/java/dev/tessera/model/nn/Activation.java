package dev.tessera.model.nn;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Pointwise activations by their PyTorch names. */
public enum Activation {
    /** {@code nn.GELU()}: exact, with erf. */
    GELU,
    /** {@code nn.GELU(approximate="tanh")}. */
    GELU_TANH,
    /** {@code nn.SiLU()}. */
    SILU,
    /** {@code nn.ReLU()}. */
    RELU;

    public Tensor apply(Tensor x) {
        return switch (this) {
            case GELU -> torch.gelu(x);
            case GELU_TANH -> torch.gelu(x, "tanh");
            case SILU -> torch.silu(x);
            case RELU -> torch.relu(x);
        };
    }
}
