package dev.tessera.model.cond;

import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.model.LoadReport;
import dev.tessera.model.StateDict;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.pytorch.Tensor;

/**
 * The torch.hub layout of DINOv2 (facebookresearch/dinov2's {@code DinoVisionTransformer}: {@code cls_token},
 * {@code pos_embed}, {@code patch_embed.proj}, {@code blocks.N.attn.qkv} fused as {@code [q; k; v]} along the output
 * axis, {@code blocks.N.ls1.gamma}, {@code norm}...) and its conversion to Hugging Face's names, which {@link
 * Dinov2Model} registers. {@link #load} accepts either layout and loads strictly.
 */
public final class Dinov2HubLayout {
    private static final Pattern BLOCK = Pattern.compile("^blocks\\.(?:\\d+\\.)?(\\d+)\\.(.+)$");

    private static final Map<String, String> TOP = Map.of(
            "cls_token", "embeddings.cls_token",
            "mask_token", "embeddings.mask_token",
            "pos_embed", "embeddings.position_embeddings",
            "register_tokens", "embeddings.register_tokens",
            "patch_embed.proj.weight", "embeddings.patch_embeddings.projection.weight",
            "patch_embed.proj.bias", "embeddings.patch_embeddings.projection.bias",
            "norm.weight", "layernorm.weight",
            "norm.bias", "layernorm.bias");

    private static final Map<String, String> IN_BLOCK = Map.ofEntries(
            Map.entry("norm1.weight", "norm1.weight"),
            Map.entry("norm1.bias", "norm1.bias"),
            Map.entry("attn.proj.weight", "attention.output.dense.weight"),
            Map.entry("attn.proj.bias", "attention.output.dense.bias"),
            Map.entry("ls1.gamma", "layer_scale1.lambda1"),
            Map.entry("norm2.weight", "norm2.weight"),
            Map.entry("norm2.bias", "norm2.bias"),
            Map.entry("mlp.fc1.weight", "mlp.fc1.weight"),
            Map.entry("mlp.fc1.bias", "mlp.fc1.bias"),
            Map.entry("mlp.fc2.weight", "mlp.fc2.weight"),
            Map.entry("mlp.fc2.bias", "mlp.fc2.bias"),
            Map.entry("mlp.w12.weight", "mlp.weights_in.weight"),
            Map.entry("mlp.w12.bias", "mlp.weights_in.bias"),
            Map.entry("mlp.w3.weight", "mlp.weights_out.weight"),
            Map.entry("mlp.w3.bias", "mlp.weights_out.bias"),
            Map.entry("ls2.gamma", "layer_scale2.lambda1"));

    private Dinov2HubLayout() {}

    /**
     * The Hugging Face key(s) of a torch.hub key: one key, or three ({@code query}, {@code key}, {@code value}) for a
     * fused {@code attn.qkv} tensor, which is split in thirds along its first axis. A key the mapping does not know
     * is returned unchanged, so a strict load reports it as unexpected. Blocks saved with {@code block_chunks > 0}
     * ({@code blocks.c.i.}) map like {@code blocks.i.}.
     */
    public static List<String> huggingFaceKeys(String hubKey) {
        String top = TOP.get(hubKey);
        if (top != null) {
            return List.of(top);
        }
        Matcher m = BLOCK.matcher(hubKey);
        if (m.matches()) {
            String prefix = "encoder.layer." + m.group(1) + ".";
            String rest = m.group(2);
            if (rest.equals("attn.qkv.weight") || rest.equals("attn.qkv.bias")) {
                String kind = rest.substring("attn.qkv.".length());
                return List.of(
                        prefix + "attention.attention.query." + kind,
                        prefix + "attention.attention.key." + kind,
                        prefix + "attention.attention.value." + kind);
            }
            String mapped = IN_BLOCK.get(rest);
            if (mapped != null) {
                return List.of(prefix + mapped);
            }
        }
        return List.of(hubKey);
    }

    /** True when the checkpoint uses the torch.hub names ({@code cls_token} or {@code pos_embed} at the top level). */
    public static boolean isHubLayout(SafetensorsReader reader) {
        return reader.contains("cls_token") || reader.contains("pos_embed");
    }

    /**
     * The tensors of a torch.hub checkpoint under Hugging Face's names. The values are views of {@code hub}'s tensors
     * (thirds of the fused QKV included): no copy.
     */
    public static Map<String, Tensor> toHuggingFace(Map<String, Tensor> hub) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : hub.entrySet()) {
            List<String> keys = huggingFaceKeys(e.getKey());
            Tensor t = e.getValue();
            if (keys.size() == 1) {
                put(out, keys.get(0), t, e.getKey());
                continue;
            }
            long rows = t.size(0);
            if (rows % 3 != 0) {
                throw new IllegalArgumentException(
                        e.getKey() + ": a fused qkv tensor needs a first axis divisible by 3, got " + rows);
            }
            for (int i = 0; i < 3; i++) {
                put(out, keys.get(i), t.narrow(0, i * rows / 3, rows / 3), e.getKey());
            }
        }
        return out;
    }

    private static void put(Map<String, Tensor> out, String key, Tensor t, String from) {
        if (out.put(key, t) != null) {
            throw new IllegalArgumentException("two torch.hub tensors map to " + key + " (the second is " + from + ")");
        }
    }

    /**
     * Loads a DINOv2 checkpoint in either layout into {@code model}, strictly: Hugging Face's names load directly,
     * torch.hub's are converted first. Throws {@link dev.tessera.model.StateDictMismatchException} listing every
     * missing, unexpected or reshaped key (after conversion) and loads nothing in that case.
     */
    public static LoadReport load(Dinov2Model model, SafetensorsReader reader) throws IOException {
        if (!isHubLayout(reader)) {
            return StateDict.load(model, reader);
        }
        try (StepScope scope = new StepScope()) {
            Map<String, Tensor> hub = new LinkedHashMap<>();
            for (String name : reader.names()) {
                hub.put(name, Tensors.view(reader, name)); // borrows the mapping; copied into the parameters below
            }
            return StateDict.load(model, toHuggingFace(hub), reader.path() + " (torch.hub layout, converted)");
        }
    }
}
