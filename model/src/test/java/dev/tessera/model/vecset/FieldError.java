package dev.tessera.model.vecset;

import dev.tessera.data.prep.MeshSampleBuilder;
import dev.tessera.data.prep.PrepOptions;
import dev.tessera.geometry.MeshDistance;
import dev.tessera.geometry.SurfaceSampler;
import dev.tessera.geometry.SurfaceSamples;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.geometry.io.MeshIO;
import dev.tessera.model.StepScope;
import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.pytorch.Tensor;

/**
 * Where a trained vecset VAE's field is wrong: for each mesh (prepared as {@code prep --small} prepares it), 4000
 * points on the watertight surface, moved along their normals by each offset, decoded, and compared with the exact
 * label {@code clamp(sdf, −τ, τ) / τ}: the RMS error in units of τ, and the share of points off the surface decoded
 * on the wrong side. The figures of {@code docs/results.md}, <i>The regime has changed</i>. Not a test: run with
 * {@code java -cp app/target/tessera.jar:model/target/test-classes dev.tessera.model.vecset.FieldError RUN MESH...}.
 */
public final class FieldError {
    private static final double[] OFFSETS = {-0.03, -0.01, 0, 0.01, 0.03};

    private FieldError() {}

    public static void main(String[] args) throws Exception {
        ShapeVae vae = VecsetReconstruction.load(Path.of(args[0]));
        double tau = vae.config().tsdfTruncation();
        PrepOptions prep = PrepOptions.small();
        for (int k = 1; k < args.length; k++) {
            var normalized = MeshSampleBuilder.normalize(MeshIO.read(Path.of(args[k])), prep);
            TriangleMesh wt = MeshSampleBuilder.watertight(normalized.mesh(), prep);
            EncoderInput in =
                    VecsetReconstruction.encoderInput(vae.config(), normalized.mesh(), wt, prep.sharpAngleDegrees(), 0);
            Tensor z = VecsetReconstruction.encodeMean(vae, in);
            MeshDistance exact = MeshDistance.of(wt);
            SurfaceSamples s = SurfaceSampler.sample(wt, 4000, 7);
            float[] p = s.points(), n = s.normals();
            StringBuilder line =
                    new StringBuilder(Path.of(args[k]).getFileName().toString());
            try (VecsetField field = new VecsetField(vae, z, 0)) {
                for (double offset : OFFSETS) {
                    float[] q = new float[p.length];
                    for (int i = 0; i < p.length; i++) {
                        q[i] = (float) (p[i] + offset * n[i]);
                    }
                    float[] v = field.values(q);
                    double squares = 0;
                    int wrong = 0;
                    for (int i = 0; i < v.length; i++) {
                        double sdf = exact.signed(q[3 * i], q[3 * i + 1], q[3 * i + 2]);
                        double label = Math.max(-1, Math.min(1, sdf / tau));
                        squares += (v[i] - label) * (v[i] - label);
                        if (offset != 0 && Math.signum(v[i]) != Math.signum(sdf)) {
                            wrong++;
                        }
                    }
                    line.append(String.format(
                            Locale.ROOT,
                            "  offset %+.2f: rms %.3f, wrong side %.1f %%",
                            offset,
                            Math.sqrt(squares / v.length),
                            100.0 * wrong / v.length));
                }
            } finally {
                StepScope.release(z);
            }
            System.out.println(line);
        }
    }
}
