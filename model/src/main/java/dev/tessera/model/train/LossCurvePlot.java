package dev.tessera.model.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.geometry.io.AtomicFile;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * Draws a run's {@code metrics.jsonl} as a PNG: the training loss terms against the step (log scale when positive) on
 * the left, validation metrics on the right. Pure Java2D, headless.
 */
public final class LossCurvePlot {
    private static final Color[] PALETTE = {
        new Color(0x1f77b4),
        new Color(0xd62728),
        new Color(0x2ca02c),
        new Color(0xff7f0e),
        new Color(0x9467bd),
        new Color(0x8c564b),
        new Color(0xe377c2),
        new Color(0x17becf)
    };

    /** Numbers of a metrics line that are not curves: the step, the schedule, timings and counts. */
    private static final Set<String> NOT_PLOTTED = Set.of("step", "lr", "seconds", "grad_norm", "val/shapes");

    private LossCurvePlot() {}

    /** Reads the metrics and writes the plot (atomically). Does nothing when there are no metrics yet. */
    public static void write(Path metrics, Path png) throws IOException {
        if (!Files.exists(metrics)) {
            return;
        }
        Map<String, List<double[]>> train = new LinkedHashMap<>();
        Map<String, List<double[]>> val = new LinkedHashMap<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(metrics, StandardCharsets.UTF_8)) {
            JsonNode n;
            try {
                n = json.readTree(line);
            } catch (IOException e) {
                continue;
            }
            if (n == null || !n.has("step")) {
                continue;
            }
            double step = n.get("step").asDouble();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                var e = it.next();
                String k = e.getKey();
                if (!e.getValue().isNumber() || NOT_PLOTTED.contains(k)) {
                    continue;
                }
                (k.startsWith("val/") ? val : train)
                        .computeIfAbsent(k, x -> new ArrayList<>())
                        .add(new double[] {step, e.getValue().asDouble()});
            }
        }
        if (train.isEmpty() && val.isEmpty()) {
            return;
        }
        int w = val.isEmpty() ? 800 : 1400, h = 480;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        panel(g, 0, 0, val.isEmpty() ? w : w / 2, h, "training", train);
        if (!val.isEmpty()) {
            panel(g, w / 2, 0, w / 2, h, "validation", val);
        }
        g.dispose();
        java.io.ByteArrayOutputStream bos = new java.io.ByteArrayOutputStream();
        ImageIO.write(img, "png", bos);
        AtomicFile.write(png, bos.toByteArray());
    }

    private static void panel(
            Graphics2D g, int x0, int y0, int w, int h, String title, Map<String, List<double[]>> series) {
        int left = x0 + 70, right = x0 + w - 20, top = y0 + 40, bottom = y0 + h - 50;
        double minX = Double.MAX_VALUE, maxX = -Double.MAX_VALUE, minY = Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
        boolean positive = true;
        for (List<double[]> pts : series.values()) {
            for (double[] p : pts) {
                if (!Double.isFinite(p[1])) {
                    continue;
                }
                minX = Math.min(minX, p[0]);
                maxX = Math.max(maxX, p[0]);
                minY = Math.min(minY, p[1]);
                maxY = Math.max(maxY, p[1]);
                positive &= p[1] > 0;
            }
        }
        if (minX > maxX) {
            return;
        }
        boolean log = positive && maxY / minY > 20;
        double ly0 = log ? Math.log10(minY) : minY, ly1 = log ? Math.log10(maxY) : maxY;
        if (ly1 - ly0 < 1e-12) {
            ly0 -= 0.5;
            ly1 += 0.5;
        }
        // headroom above the highest point for the legend, so no curve runs under its labels
        int legend = 16 * series.size() + 12;
        if (legend < (bottom - top) / 2) {
            ly1 += (ly1 - ly0) * legend / (bottom - top - legend);
        }
        if (maxX - minX < 1e-12) {
            maxX = minX + 1;
        }
        g.setColor(new Color(0x333333));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title + (log ? " (log scale)" : ""), left, y0 + 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int i = 0; i <= 5; i++) {
            double fy = ly0 + (ly1 - ly0) * i / 5;
            int py = (int) (bottom - (bottom - top) * i / 5.0);
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(left, py, right, py);
            g.setColor(new Color(0x555555));
            double v = log ? Math.pow(10, fy) : fy;
            g.drawString(String.format(Locale.ROOT, "%.3g", v), x0 + 8, py + 4);
            double fx = minX + (maxX - minX) * i / 5;
            int px = (int) (left + (right - left) * i / 5.0);
            g.drawString(String.format(Locale.ROOT, "%.0f", fx), px - 10, bottom + 18);
        }
        g.setColor(new Color(0x555555));
        g.drawString("step", (left + right) / 2 - 10, bottom + 36);
        g.drawRect(left, top, right - left, bottom - top);
        int k = 0;
        for (var e : series.entrySet()) {
            Color c = PALETTE[k % PALETTE.length];
            g.setColor(c);
            g.setStroke(new BasicStroke(1.6f));
            Path2D path = new Path2D.Double();
            boolean first = true;
            for (double[] p : e.getValue()) {
                if (!Double.isFinite(p[1]) || (log && p[1] <= 0)) {
                    continue;
                }
                double vy = log ? Math.log10(p[1]) : p[1];
                double px = left + (right - left) * (p[0] - minX) / (maxX - minX);
                double py = bottom - (bottom - top) * (vy - ly0) / (ly1 - ly0);
                if (e.getValue().size() <= 50) { // few points (validations): mark each one
                    g.fill(new Ellipse2D.Double(px - 3, py - 3, 6, 6));
                }
                if (first) {
                    path.moveTo(px, py);
                    first = false;
                } else {
                    path.lineTo(px, py);
                }
            }
            g.draw(path);
            g.fillRect(right - 150, top + 8 + 16 * k, 12, 3);
            g.drawString(e.getKey(), right - 132, top + 13 + 16 * k);
            k++;
        }
    }
}
