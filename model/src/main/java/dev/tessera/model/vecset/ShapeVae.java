package dev.tessera.model.vecset;

import dev.tessera.model.DiagonalGaussian;
import dev.tessera.model.Torch;
import dev.tessera.model.nn.FourierEmbedder;
import dev.tessera.model.nn.Layers;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Hunyuan3D-2's vecset VAE ({@code ShapeVAE} in {@code hy3dgen/shapegen/models/autoencoders/model.py}): a shape, given
 * as points on its surface (and on its sharp edges), becomes an unordered set of {@code num_latents} tokens of {@code
 * embed_dim} channels, and the tokens become a field that can be queried at any point. Its registered names are the
 * reference's state-dict keys, so released checkpoints load key for key.
 *
 * <pre>
 * encode:  tokens   = encoder(points, FPS queries)         [B, L, W]     (Perceiver cross-attention + self-attention)
 *          moments  = pre_kl(tokens)                         [B, L, 2E]    → DiagonalGaussian(mean, logvar ∈ [-30, 20])
 * decode:  z        = posterior sample or mean               [B, L, E]
 *          tokens   = transformer(post_kl(z))                [B, L, W]
 * query:   value    = geo_decoder(points, tokens)            [B, P, 1]     (occupancy logit or truncated SDF)
 * </pre>
 */
public final class ShapeVae extends Module {
    static {
        Torch.load();
    }

    /** The terms of one training loss (scalars) and the decoder's raw output {@code [B, P]}. */
    public record Losses(Tensor loss, Tensor reconstruction, Tensor kl, Tensor prediction) {}

    private final ShapeVaeConfig config;
    private final FourierEmbedder fourier;
    private final PointCrossAttentionEncoder encoder;
    private final LinearImpl preKl;
    private final LinearImpl postKl;
    private final Transformer transformer;
    private final CrossAttentionDecoder geoDecoder;

    /**
     * The log-variance a new VAE's posterior starts at: σ = e<sup>−4</sup> ≈ 0.018 (see the constructor). The KL
     * term raises it from there as far as the reconstruction allows.
     */
    public static final double INITIAL_LOGVAR = -8.0;

    /**
     * A VAE of the given config with PyTorch's default initialisation drawn from {@code g}, except that the posterior
     * starts nearly deterministic: the log-variance half of {@code pre_kl}'s bias is {@link #INITIAL_LOGVAR}.
     *
     * <p>With the default bias the posterior starts at σ ≈ 1 around means of about 0.5, so the decoder is trained on
     * latents that are mostly noise: it learns the mean shape of the data and the encoder's tokens stop carrying the
     * shape (a box comes back as a chair, some tokens end with σ above 20). A model that starts with informative latents
     * fits shapes in a few hundred steps (docs/results.md, <i>The posterior's starting noise</i>). Loaded weights
     * replace this bias, so released checkpoints are unaffected.
     */
    public ShapeVae(ShapeVaeConfig config, Generator g) {
        super("ShapeVAE");
        this.config = config;
        this.fourier = new FourierEmbedder(config.numFreqs(), true, 3, true, config.includePi());
        this.encoder = register_module("encoder", new PointCrossAttentionEncoder(config, fourier, g));
        this.preKl = register_module("pre_kl", Layers.linear(config.width(), 2L * config.embedDim(), true, g));
        try (NoGradGuard ng = new NoGradGuard()) {
            preKl.bias().narrow(0, config.embedDim(), config.embedDim()).fill_(new Scalar(INITIAL_LOGVAR));
        }
        this.postKl = register_module("post_kl", Layers.linear(config.embedDim(), config.width(), true, g));
        this.transformer = register_module(
                "transformer",
                new Transformer(
                        config.width(),
                        config.numDecoderLayers(),
                        config.heads(),
                        config.qkvBias(),
                        config.qkNorm(),
                        g));
        this.geoDecoder = register_module("geo_decoder", new CrossAttentionDecoder(config, fourier, g));
    }

    public ShapeVaeConfig config() {
        return config;
    }

    /** The shared Fourier embedding of xyz. */
    public FourierEmbedder fourier() {
        return fourier;
    }

    PointCrossAttentionEncoder encoderModule() {
        return encoder;
    }

    /** The encoder's output tokens, before {@code pre_kl}: {@code [B, L, W]}. */
    public Tensor encoderTokens(EncoderInput in) {
        checkInput(in);
        return encoder.forward(in); // [B, L, W]
    }

    /** The posterior over latents: {@code pre_kl} of the encoder's tokens, log-variance clamped to [-30, 20]. */
    public DiagonalGaussian encode(EncoderInput in) {
        Tensor moments = preKl.forward(encoderTokens(in)); // [B, L, 2E]
        return DiagonalGaussian.of(moments, -1, true); // [B, L, E] ×2
    }

    /** Latents {@code z [B, L, E]} → decoded tokens {@code [B, L, W]} ({@code post_kl}, then the transformer). */
    public Tensor decode(Tensor z) {
        if (z.dim() != 3 || z.size(2) != config.embedDim()) {
            throw new IllegalArgumentException("latents must be [B, L, " + config.embedDim() + "], got "
                    + java.util.Arrays.toString(dev.tessera.model.Tensors.shape(z)));
        }
        return transformer.forward(postKl.forward(z)); // [B, L, W]
    }

    /** The decoder's raw output at {@code points [B, P, 3]} given decoded tokens {@code [B, L, W]} → {@code [B, P, 1]}. */
    public Tensor query(Tensor points, Tensor tokens) {
        return geoDecoder.forward(points, tokens); // [B, P, 1]
    }

    /** The keys and values of decoded tokens {@code [B, L, W]} for {@link #queryCached}: {@code [B, L, 2w]}. */
    public Tensor queryKeysValues(Tensor tokens) {
        return geoDecoder.keysValues(tokens); // [B, L, 2w]
    }

    /** As {@link #query}, with the tokens' {@link #queryKeysValues} computed once: {@code [B, P, 1]}. */
    public Tensor queryCached(Tensor points, Tensor keysValues) {
        return geoDecoder.forwardCached(points, keysValues); // [B, P, 1]
    }

    /**
     * The decoder's raw output turned into a field that is <b>negative inside</b> (Tessera's convention for signed
     * distances), with its surface at 0: the truncated SDF itself for {@code label_type "tsdf"}, the negated logit for
     * {@code "binary"}. {@code raw [..., 1]} → {@code [...]}.
     */
    public Tensor signedField(Tensor raw) {
        Tensor v = raw.squeeze(-1); // [...]
        return config.isTsdf() ? v : v.neg(); // [...]
    }

    /**
     * The training loss of a batch (Dora's recipe): encode, sample the posterior with noise from {@code g}, decode,
     * query; the reconstruction term is the mean squared error to {@code clamp(sdf, −τ, τ) / τ} ({@code "tsdf"}) or
     * the binary cross-entropy to the occupancy {@code sdf < 0} ({@code "binary"}), weighted per query by {@code
     * batch.weights()} (1 over the near-surface and volume queries and sharp_weight over the near-sharp ones, per
     * shape), averaged over shapes; plus {@code klWeight} times the KL divergence
     * to N(0, I) averaged over the latent's elements.
     */
    public Losses losses(VecsetBatch batch, double klWeight, Generator g) {
        DiagonalGaussian posterior = encode(batch.input()); // [B, L, E] ×2
        Tensor z = posterior.sample(g); // [B, L, E]
        Tensor tokens = decode(z); // [B, L, W]
        Tensor pred = query(batch.points(), tokens).squeeze(-1); // [B, P]
        Tensor sdf = batch.sdf(); // [B, P]
        Tensor perPoint;
        if (config.isTsdf()) {
            double tau = config.tsdfTruncation();
            Tensor target = sdf.clamp(new ScalarOptional(new Scalar(-tau)), new ScalarOptional(new Scalar(tau)))
                    .div(new Scalar(tau)); // [B, P]
            perPoint = pred.sub(target).square(); // [B, P]
        } else {
            Tensor occupancy = sdf.lt(new Scalar(0.0)).to(pred.scalar_type().intern()); // [B, P]
            perPoint = torch.binary_cross_entropy_with_logits(
                    pred,
                    occupancy,
                    new org.bytedeco.pytorch.TensorOptional(),
                    new org.bytedeco.pytorch.TensorOptional(),
                    0L); // [B, P] (reduction none)
        }
        Tensor recon = perPoint.mul(batch.weights()).sum().div(new Scalar((double) pred.size(0))); // []
        Tensor kl = posterior.klMean(); // []
        Tensor loss = klWeight == 0 ? recon : recon.add(kl.mul(new Scalar(klWeight))); // []
        return new Losses(loss, recon, kl, pred);
    }

    private void checkInput(EncoderInput in) {
        int ch = config.pointChannels();
        if (in.data().dim() != 3 || in.data().size(2) != ch || in.queries().size(2) != ch) {
            throw new IllegalArgumentException("encoder input points must have " + ch + " values (xyz + "
                    + config.pointFeats() + " features), got data "
                    + java.util.Arrays.toString(dev.tessera.model.Tensors.shape(in.data())));
        }
        if (in.queries().size(1) != config.numLatents()) {
            throw new IllegalArgumentException("the encoder needs " + config.numLatents()
                    + " query points (num_latents)," + " got " + in.queries().size(1));
        }
    }
}
