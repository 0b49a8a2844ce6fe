// Writes ImageJ's rolling-ball background and background-subtracted results as PNG "sheets" for
// tests/background_parity.rs.
// Build: javac -cp /usr/share/java/ij.jar BackgroundParity.java
// Run:   java -Djava.awt.headless=true -cp /usr/share/java/ij.jar:. BackgroundParity ..
//
// Each sheet stacks blocks of the test image's size vertically: the input, then for every radius
// of RADII the background (rollingBallBackground(ip, r, true, false, false, true, true): dark
// background, rolling ball, pre-smoothing, rounded by ImageJ) and the subtracted image
// (the same with createBackground = false). One sheet per bit depth and image size; 16-bit sheets
// are 16-bit grey PNGs.
import ij.process.*;
import ij.plugin.filter.BackgroundSubtracter;
import java.awt.image.*;
import java.io.File;
import javax.imageio.ImageIO;

public class BackgroundParity {
    static final double[] RADII = {3, 10, 12.5, 30, 50, 101};
    static final int[][] BLOBS = { // cx, cy, r, amplitude (per mille of the 8-bit range)
        {20, 15, 6, 700}, {60, 40, 9, 500}, {95, 70, 4, 900}, {40, 70, 12, 300}, {110, 10, 5, 600},
        {0, 0, 7, 800}, {75, 20, 3, 400}};

    /** The test image in 8-bit units times `scale`, plus deterministic noise below `noise`. */
    static int value(int x, int y, int w, int h, int scale, int noise) {
        long v = (20L + (3L * x + 2L * y) * 60 / (3L * w + 2L * h)) * scale; // gradient 20..80
        long dx = x - w / 2, dy = y - h / 2;
        v += (dx * dx + dy * dy) * 30L * scale / (w * w / 4 + h * h / 4); // bowl up to ~30
        for (int[] b : BLOBS) {
            long bx = x - b[0] * w / 120, by = y - b[1] * h / 90, r2 = (long) b[2] * b[2];
            long d2 = bx * bx + by * by;
            if (d2 < r2) v += 255L * scale * b[3] / 1000 * (r2 - d2) / r2;
        }
        int hash = (x * 73856093) ^ (y * 19349663) ^ 0x5bd1e995;
        hash ^= hash >>> 13;
        hash *= 0x27d4eb2d;
        hash ^= hash >>> 15;
        v += Math.floorMod(hash, noise);
        return (int) Math.min(v, 255L * scale + scale - 1);
    }

    static ImageProcessor image(int w, int h, boolean sixteen) {
        ImageProcessor ip = sixteen ? new ShortProcessor(w, h) : new ByteProcessor(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                ip.set(x, y, sixteen ? value(x, y, w, h, 200, 32) : value(x, y, w, h, 1, 9));
        return ip;
    }

    public static void main(String[] args) throws Exception {
        String dir = args.length > 0 ? args[0] : ".";
        // 16-bit sheets compress badly: one small size only, to keep the fixtures small.
        int[][][] sizes = {{{120, 90}, {61, 43}}, {{61, 43}}};
        for (boolean sixteen : new boolean[] {false, true}) {
            for (int[] s : sizes[sixteen ? 1 : 0]) {
                int w = s[0], h = s[1], blocks = 1 + 2 * RADII.length;
                ImageProcessor input = image(w, h, sixteen);
                BufferedImage sheet = new BufferedImage(w, h * blocks,
                    sixteen ? BufferedImage.TYPE_USHORT_GRAY : BufferedImage.TYPE_BYTE_GRAY);
                WritableRaster raster = sheet.getRaster();
                put(raster, input, 0);
                for (int i = 0; i < RADII.length; i++) {
                    ImageProcessor bg = input.duplicate();
                    new BackgroundSubtracter().rollingBallBackground(bg, RADII[i], true, false, false, true, true);
                    put(raster, bg, h * (1 + 2 * i));
                    ImageProcessor sub = input.duplicate();
                    new BackgroundSubtracter().rollingBallBackground(sub, RADII[i], false, false, false, true, true);
                    put(raster, sub, h * (2 + 2 * i));
                }
                String name = "imagej_background_" + (sixteen ? 16 : 8) + "bit_" + w + "x" + h + ".png";
                ImageIO.write(sheet, "png", new File(dir, name));
            }
        }
    }

    static void put(WritableRaster raster, ImageProcessor ip, int y0) {
        for (int y = 0; y < ip.getHeight(); y++)
            for (int x = 0; x < ip.getWidth(); x++)
                raster.setSample(x, y0 + y, 0, ip.get(x, y));
    }
}
