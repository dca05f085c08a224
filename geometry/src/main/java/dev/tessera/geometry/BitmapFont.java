package dev.tessera.geometry;

/**
 * A tiny built-in 5×7 pixel font (with a descender row, 5×8 cells) (printable ASCII and the degree sign) for labels on contact sheets. It draws
 * straight into ARGB pixel arrays, so labels need no AWT fonts or toolkit (headless servers often have neither) and
 * look the same on every machine. Characters it lacks are drawn as {@code ?}.
 */
final class BitmapFont {
    private BitmapFont() {}

    /** Glyph width in font pixels. */
    static final int GLYPH_WIDTH = 5;
    /** Glyph height in font pixels: 7 above the baseline and one row of descenders. */
    static final int GLYPH_HEIGHT = 8;
    /** Horizontal advance per character in font pixels (one pixel of spacing). */
    static final int ADVANCE = 6;

    // 8 rows of 5 bits per glyph, two hex digits a row; characters 32..126, then U+00B0
    private static final String GLYPHS =
            "000000000000000004040404040004000a0a0a00000000000a0a1f0a1f0a0a00040f140e051e04001819020408130300"
                    + "0c12140815120d000404080000000000020408080804020008040202020408000004150e15040000"
                    + "0004041f0404000000000000000c04080000001f0000000000000000000c0c000001020408100000"
                    + "0e11131519110e00040c040404040e000e11010204081f001f02040201110e0002060a121f020200"
                    + "1f101e0101110e000608101e11110e001f010204080808000e11110e11110e000e11110f01020c00"
                    + "000c0c000c0c0000000c0c00000c0408020408100804020000001f001f0000000804020102040800"
                    + "0e110102040004000e11010d15150e000e11111f111111001e11111e11111e000e11101010110e00"
                    + "1c12111111121c001f10101e10101f001f10101e101010000e11101711110f001111111f11111100"
                    + "0e04040404040e000702020202120c0011121418141211001010101010101f00111b151511111100"
                    + "11111915131111000e11111111110e001e11111e101010000e11111115120d001e11111e14121100"
                    + "0f10100e01011e001f040404040404001111111111110e0011111111110a04001111111515150a00"
                    + "11110a040a11110011110a04040404001f01020408101f000e08080808080e000010080402010000"
                    + "0e02020202020e00040a1100000000000000000000001f00080402000000000000000e010f110f00"
                    + "1010161911111e0000000e1010110e0001010d1311110f0000000e111f100e000609081c08080800"
                    + "00000f11110f010e101016191111110004000c0404040e00020006020202120c1010121418141200"
                    + "0c04040404040e0000001a1515111100000016191111110000000e1111110e0000001e11111e1010"
                    + "00000f11110f0101000016191010100000000e100e011e0008081c08080906000000111111130d00"
                    + "00001111110a04000000111115150a000000110a040a110000001111110f010e00001f0204081f00"
                    + "02040408040402000404040404040400080404020404080000000815020000000c12120c00000000";

    private static final byte[] ROWS = new byte[GLYPHS.length() / 2];

    static {
        for (int i = 0; i < ROWS.length; i++) {
            ROWS[i] = (byte) Integer.parseInt(GLYPHS.substring(2 * i, 2 * i + 2), 16);
        }
    }

    /** Width in pixels of {@code text} drawn at {@code scale} (the last character's spacing not included). */
    static int width(String text, int scale) {
        return text.isEmpty() ? 0 : (text.length() * ADVANCE - 1) * scale;
    }

    /**
     * Draws {@code text} into an ARGB array {@code stride} pixels wide and {@code rows} high, top-left corner at
     * {@code (x, y)}, every font pixel a {@code scale × scale} block of {@code argb}; pixels outside are skipped.
     */
    static void draw(int[] pixels, int stride, int rows, int x, int y, String text, int scale, int argb) {
        for (int c = 0; c < text.length(); c++) {
            int g = glyph(text.charAt(c));
            int gx = x + c * ADVANCE * scale;
            for (int r = 0; r < GLYPH_HEIGHT; r++) {
                int bits = ROWS[GLYPH_HEIGHT * g + r];
                for (int k = 0; k < GLYPH_WIDTH; k++) {
                    if ((bits & (1 << (GLYPH_WIDTH - 1 - k))) == 0) {
                        continue;
                    }
                    for (int dy = 0; dy < scale; dy++) {
                        int py = y + r * scale + dy;
                        if (py < 0 || py >= rows) {
                            continue;
                        }
                        for (int dx = 0; dx < scale; dx++) {
                            int px = gx + k * scale + dx;
                            if (px >= 0 && px < stride) {
                                pixels[py * stride + px] = argb;
                            }
                        }
                    }
                }
            }
        }
    }

    private static int glyph(char ch) {
        if (ch >= 32 && ch <= 126) {
            return ch - 32;
        }
        if (ch == '\u00b0') {
            return 95;
        }
        return '?' - 32;
    }
}
