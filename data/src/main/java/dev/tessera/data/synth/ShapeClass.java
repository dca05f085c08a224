package dev.tessera.data.synth;

import static dev.tessera.data.synth.Sdf.box;
import static dev.tessera.data.synth.Sdf.capsule;
import static dev.tessera.data.synth.Sdf.cone;
import static dev.tessera.data.synth.Sdf.cylinder;
import static dev.tessera.data.synth.Sdf.rotateX;
import static dev.tessera.data.synth.Sdf.rotateY;
import static dev.tessera.data.synth.Sdf.roundBox;
import static dev.tessera.data.synth.Sdf.smoothUnion;
import static dev.tessera.data.synth.Sdf.sphere;
import static dev.tessera.data.synth.Sdf.subtract;
import static dev.tessera.data.synth.Sdf.torus;
import static dev.tessera.data.synth.Sdf.translate;
import static dev.tessera.data.synth.Sdf.union;

import dev.tessera.geometry.ScalarField;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The labelled classes of the procedural dataset. Each draws a random shape of its class, as a signed distance
 * function that fits within {@code [-0.95, 0.95]³}: primitives with random proportions (and, for some, a random
 * twist, bend or tilt), and furniture-like compositions of primitives (union of parts, a hollowed mug).
 */
public enum ShapeClass {
    SPHERE {
        @Override
        ScalarField draw(SplittableRandom r) {
            return sphere(u(r, 0.5, 0.9));
        }
    },
    BOX {
        @Override
        ScalarField draw(SplittableRandom r) {
            return deform(r, box(u(r, 0.3, 0.7), u(r, 0.3, 0.7), u(r, 0.3, 0.7)));
        }
    },
    ROUNDED_BOX {
        @Override
        ScalarField draw(SplittableRandom r) {
            double hx = u(r, 0.35, 0.7), hy = u(r, 0.35, 0.7), hz = u(r, 0.35, 0.7);
            double rad = u(r, 0.1, 0.3) * Math.min(hx, Math.min(hy, hz));
            return deform(r, roundBox(hx, hy, hz, rad));
        }
    },
    CYLINDER {
        @Override
        ScalarField draw(SplittableRandom r) {
            return deform(r, cylinder(u(r, 0.25, 0.6), u(r, 0.35, 0.75)));
        }
    },
    CONE {
        @Override
        ScalarField draw(SplittableRandom r) {
            return deform(r, cone(u(r, 0.4, 0.7), u(r, 0.45, 0.75)));
        }
    },
    TORUS {
        @Override
        ScalarField draw(SplittableRandom r) {
            double small = u(r, 0.12, 0.25);
            return rotateX(torus(u(r, 0.4, 0.9 - small - 0.05), small), u(r, -0.4, 0.4));
        }
    },
    CAPSULE {
        @Override
        ScalarField draw(SplittableRandom r) {
            double rad = u(r, 0.2, 0.4);
            return deform(r, capsule(rad, u(r, 0.25, 0.85 - rad)));
        }
    },
    TABLE {
        @Override
        ScalarField draw(SplittableRandom r) {
            double w = u(r, 0.45, 0.65), d = u(r, 0.35, 0.6), top = u(r, 0.03, 0.07), height = u(r, 0.8, 1.5);
            double leg = u(r, 0.04, 0.08);
            boolean round = r.nextBoolean();
            // the table spans y in [-height/2, height/2]: a board on top, four legs below it
            ScalarField[] parts = new ScalarField[5];
            parts[0] = translate(box(w, top, d), 0, height / 2 - top, 0);
            double legHalf = (height - 2 * top) / 2;
            int i = 1;
            for (int sx = -1; sx <= 1; sx += 2) {
                for (int sz = -1; sz <= 1; sz += 2) {
                    ScalarField l = round ? cylinder(leg, legHalf) : box(leg, legHalf, leg);
                    parts[i++] = translate(l, sx * (w - 2 * leg), -top, sz * (d - 2 * leg));
                }
            }
            return rotateY(union(parts), u(r, -Math.PI, Math.PI));
        }
    },
    CHAIR {
        @Override
        ScalarField draw(SplittableRandom r) {
            double w = u(r, 0.35, 0.5), d = u(r, 0.35, 0.5), seat = u(r, 0.04, 0.07), legH = u(r, 0.25, 0.35);
            double backH = u(r, 0.25, 0.4), leg = u(r, 0.03, 0.05);
            double y0 = -0.85;
            ScalarField s = translate(box(w, seat, d), 0, y0 + 2 * legH + seat, 0);
            ScalarField back = translate(box(w, backH, u(r, 0.03, 0.05)), 0, y0 + 2 * legH + 2 * seat + backH, -d);
            ScalarField[] parts = {s, back, null, null, null, null};
            int i = 2;
            for (int sx = -1; sx <= 1; sx += 2) {
                for (int sz = -1; sz <= 1; sz += 2) {
                    parts[i++] = translate(box(leg, legH, leg), sx * (w - leg), y0 + legH, sz * (d - leg));
                }
            }
            return rotateY(union(parts), u(r, -Math.PI, Math.PI));
        }
    },
    MUG {
        @Override
        ScalarField draw(SplittableRandom r) {
            double rad = u(r, 0.35, 0.5), h = u(r, 0.45, 0.65), wall = u(r, 0.05, 0.08);
            ScalarField body = cylinder(rad, h);
            ScalarField cavity = translate(cylinder(rad - wall, h), 0, wall * 2, 0);
            double ring = u(r, 0.2, 0.27), tube = u(r, 0.045, 0.065);
            // a ring in the xy plane whose inner half sits in the wall: the handle sticks out by ~ring
            ScalarField handle = translate(rotateX(torus(ring, tube), Math.PI / 2), rad + 0.4 * ring, 0, 0);
            return rotateY(subtract(union(body, handle), cavity), u(r, -Math.PI, Math.PI));
        }
    },
    LAMP {
        @Override
        ScalarField draw(SplittableRandom r) {
            double baseR = u(r, 0.25, 0.4), baseH = u(r, 0.03, 0.06), pole = u(r, 0.025, 0.04);
            double poleH = u(r, 0.4, 0.6), shadeR = u(r, 0.3, 0.45), shadeH = u(r, 0.2, 0.3);
            double y0 = -0.9;
            ScalarField base = translate(cylinder(baseR, baseH), 0, y0 + baseH, 0);
            ScalarField stick = translate(cylinder(pole, poleH), 0, y0 + 2 * baseH + poleH, 0);
            double shadeY = y0 + 2 * baseH + 2 * poleH + shadeH * 0.6;
            ScalarField shade = translate(cone(shadeR, shadeH), 0, shadeY, 0);
            return smoothUnion(union(base, stick), shade, 0.03);
        }
    };

    /** Draws one random shape of this class. */
    abstract ScalarField draw(SplittableRandom r);

    /** The label written to manifests: the lower-case name ({@code rounded_box}). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The class of a label (case-insensitive). */
    public static ShapeClass ofLabel(String label) {
        try {
            return valueOf(label.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            StringBuilder known = new StringBuilder();
            for (ShapeClass c : values()) {
                known.append(known.isEmpty() ? "" : ", ").append(c.label());
            }
            throw new IllegalArgumentException("unknown shape class '" + label + "'; known: " + known);
        }
    }

    static double u(SplittableRandom r, double a, double b) {
        return a + (b - a) * r.nextDouble();
    }

    /** With some probability: a twist, a bend, or a random tilt; always a random spin about y. */
    static ScalarField deform(SplittableRandom r, ScalarField f) {
        double p = r.nextDouble();
        ScalarField g = f;
        if (p < 0.2) {
            g = Sdf.twist(g, u(r, -1.5, 1.5), 1.0);
        } else if (p < 0.35) {
            g = Sdf.bend(g, u(r, -0.6, 0.6), 1.0);
        } else if (p < 0.55) {
            g = Sdf.rotateZ(g, u(r, -0.5, 0.5));
        }
        return rotateY(g, u(r, -Math.PI, Math.PI));
    }
}
