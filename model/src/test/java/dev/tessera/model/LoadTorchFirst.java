package dev.tessera.model;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/** Loads libtorch (natives extracted first) before any test class touches a torch type. */
public class LoadTorchFirst implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        Torch.load();
    }
}
