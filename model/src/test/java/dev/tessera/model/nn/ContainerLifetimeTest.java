package dev.tessera.model.nn;

import static org.assertj.core.api.Assertions.assertThatCode;

import dev.tessera.model.Rng;
import dev.tessera.model.cond.Dinov2Config;
import dev.tessera.model.cond.Dinov2Model;
import dev.tessera.model.dit.Hunyuan3DDiT;
import dev.tessera.model.dit.Hunyuan3DDiTConfig;
import org.bytedeco.pytorch.Module;
import org.junit.jupiter.api.Test;

/**
 * A Java-created {@code Module} whose Java object is collected breaks its owner's {@code eval()} with a native
 * {@code NullPointerException} (JavaCPP virtual callbacks). Modules that group children through {@link
 * Layers#container} must keep a reference; this collects garbage hard, then walks each model's tree.
 */
class ContainerLifetimeTest {
    @Test
    void modulesWithNestedContainersSurviveGarbageCollection() throws InterruptedException {
        Module[] models = {
            new TimestepEmbedder(16, 32, 1, Rng.cpu(0)),
            new Dinov2Model(Dinov2Config.tinyReg(), Rng.cpu(0)),
            new Hunyuan3DDiT(Hunyuan3DDiTConfig.tiny(), Rng.cpu(0))
        };
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(20);
        }
        for (Module m : models) {
            assertThatCode(() -> {
                        m.eval();
                        m.train(true);
                    })
                    .doesNotThrowAnyException();
        }
    }
}
