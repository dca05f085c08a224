/**
 * Layers every Tessera model shares, built on libtorch modules so that their registered names read like a Python
 * model's state-dict keys ({@code blocks.0.attn.qkv.weight}).
 *
 * <p>Initialisation always takes an explicit, seeded {@link org.bytedeco.pytorch.Generator}: libtorch's own
 * {@code reset_parameters()} and {@code nn::init} draw from the global generator, so Tessera re-initialises every
 * parameter it creates through {@link dev.tessera.model.nn.Init}.
 */
package dev.tessera.model.nn;
