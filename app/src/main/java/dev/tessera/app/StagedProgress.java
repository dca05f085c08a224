package dev.tessera.app;

import dev.tessera.data.Progress;

/**
 * One progress display for a job of several stages: each stage's task is shown as {@code [k/n] stage: task} on the
 * same bar, so a long pipeline (the demo) reads as one run.
 */
final class StagedProgress implements Progress {
    private final Progress bar;
    private final int stages;
    private int stage;
    private String name = "";

    StagedProgress(Progress bar, int stages) {
        this.bar = bar;
        this.stages = stages;
    }

    /** Starts stage {@code name}; later {@link #start} calls of its jobs are shown under it. */
    synchronized void stage(String stageName) {
        stage++;
        name = stageName;
    }

    /** The current stage's label, {@code [k/n] name}. */
    synchronized String label() {
        return "[" + stage + "/" + stages + "] " + name;
    }

    @Override
    public synchronized void start(String task, long total) {
        bar.start(title(task), total);
    }

    @Override
    public synchronized void start(String task, long total, long done) {
        bar.start(title(task), total, done);
    }

    private String title(String task) {
        return task == null || task.isEmpty() || task.equals(name) ? label() : label() + ": " + task;
    }

    @Override
    public void advance(long done, String note) {
        bar.advance(done, note);
    }

    @Override
    public void finish() {
        bar.finish();
    }
}
