// Writes ImageJ's Analyze Particles shape measurements for a set of small deterministic test masks.
// Build: javac -d /tmp/shapes -cp /usr/share/java/ij.jar Shapes.java
// Run:   java -Djava.awt.headless=true -cp /usr/share/java/ij.jar:/tmp/shapes Shapes > ../imagej_shapes.tsv
//
// The masks are drawn here (discs, squares, single pixels, 1-px lines, L shapes, diagonal-only
// contacts, rings, objects inside holes, objects on the image edge, seeded random noise and blobs)
// and written into the TSV as 'mask' rows, so the Rust test reads exactly what ImageJ measured.
//
// Eight-connected rows come from one ParticleAnalyzer run over the whole mask (ImageJ's default).
// Four-connected rows come from one ParticleAnalyzer run with FOUR_CONNECTED per 4-connected
// component, on an image holding only that component: over a whole mask, ImageJ 1.53t's
// hole-excluding flood fill (FloodFiller.particleAnalyzerFill) is always 8-connected, so it fills
// diagonal neighbours into the first particle's mask and loses them as particles.
import ij.ImagePlus;
import ij.measure.Measurements;
import ij.measure.ResultsTable;
import ij.plugin.filter.ParticleAnalyzer;
import ij.process.ByteProcessor;
import ij.process.ImageProcessor;
import java.util.ArrayList;
import java.util.List;

public class Shapes {
    static final int MEASUREMENTS = Measurements.AREA | Measurements.PERIMETER | Measurements.SHAPE_DESCRIPTORS
        | Measurements.ELLIPSE | Measurements.CENTROID | Measurements.RECT | Measurements.FERET;
    static final String[] COLUMNS = {"Area", "X", "Y", "BX", "BY", "Width", "Height", "Perim.", "Circ.",
        "Major", "Minor", "Angle", "AR", "Round", "Solidity", "Feret", "MinFeret"};

    static final class Mask {
        final String name;
        final int w, h;
        final boolean[] on;
        Mask(String name, int w, int h) { this.name = name; this.w = w; this.h = h; on = new boolean[w * h]; }
        void set(int x, int y) { if (x >= 0 && y >= 0 && x < w && y < h) on[y * w + x] = true; }
        void clear(int x, int y) { if (x >= 0 && y >= 0 && x < w && y < h) on[y * w + x] = false; }
        boolean get(int x, int y) { return x >= 0 && y >= 0 && x < w && y < h && on[y * w + x]; }
        void rect(int x0, int y0, int rw, int rh) { for (int y = y0; y < y0 + rh; y++) for (int x = x0; x < x0 + rw; x++) set(x, y); }
        void disc(int cx, int cy, int r) {
            for (int y = cy - r; y <= cy + r; y++)
                for (int x = cx - r; x <= cx + r; x++)
                    if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r + r) set(x, y);
        }
        void ellipse(double cx, double cy, double a, double b, double theta) {
            double c = Math.cos(theta), s = Math.sin(theta);
            int r = (int) Math.ceil(Math.max(a, b)) + 1;
            for (int y = (int) cy - r; y <= (int) cy + r; y++)
                for (int x = (int) cx - r; x <= (int) cx + r; x++) {
                    double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
                    double u = (dx * c + dy * s) / a, v = (-dx * s + dy * c) / b;
                    if (u * u + v * v <= 1.0) set(x, y);
                }
        }
        void art(int x0, int y0, String... rows) {
            for (int y = 0; y < rows.length; y++)
                for (int x = 0; x < rows[y].length(); x++)
                    if (rows[y].charAt(x) == '#') set(x0 + x, y0 + y);
        }
    }

    /** Knuth's MMIX linear congruential generator; the top bits are the output. */
    static final class Lcg {
        long s;
        Lcg(long seed) { s = seed; }
        int next(int bound) {
            s = s * 6364136223846793005L + 1442695040888963407L;
            return (int) ((s >>> 33) % bound);
        }
    }

    static Mask primitives() {
        Mask m = new Mask("primitives", 96, 64);
        m.set(0, 0);                                   // single pixels, one in a corner
        m.set(4, 1);
        m.rect(8, 1, 2, 2);                            // squares
        m.rect(12, 1, 3, 3);
        m.rect(17, 1, 5, 5);
        m.rect(24, 1, 7, 1);                           // 1-px lines
        m.rect(33, 1, 1, 7);
        m.rect(24, 3, 7, 2);                           // 2-px line
        for (int i = 0; i < 6; i++) m.set(36 + i, 1 + i);        // diagonal lines (8-connected only)
        for (int i = 0; i < 6; i++) m.set(49 - i, 1 + i);
        m.art(52, 1, "#...", "#...", "#...", "####");            // L
        m.art(58, 1, "#####", "..#..", "..#..", "..#..");        // T
        m.art(65, 1, ".#.", "###", ".#.");                       // plus
        m.art(70, 1, "#.#", ".#.", "#.#");                       // X: 8-connected only
        m.art(75, 1, "##..", "##..", "..##", "..##");            // squares touching at a corner
        m.art(81, 1, "#...#", "#...#", "#####");                 // U
        m.art(88, 1, "####", "#...", "#...", "####");            // C
        for (int r = 1, x = 2; r <= 7; x += 2 * r + 3, r++) m.disc(x + r, 20, r);      // discs
        m.rect(2, 32, 9, 9);                           // square ring, with a pixel inside the hole
        for (int y = 34; y < 39; y++) for (int x = 4; x < 9; x++) m.clear(x, y);
        m.set(6, 36);
        m.disc(20, 36, 6);                             // disc ring
        for (int y = 33; y < 40; y++) for (int x = 17; x < 24; x++) if ((x - 20) * (x - 20) + (y - 36) * (y - 36) <= 9) m.clear(x, y);
        m.disc(34, 36, 6);                             // disc with a small hole
        for (int y = 35; y < 38; y++) for (int x = 33; x < 36; x++) m.clear(x, y);
        m.art(43, 31, "#####", "#...#", "#.#.#", "#...#", "#####");  // ring with a dot in its hole
        m.art(49, 31, "..#..", ".#.#.", "#...#", ".#.#.", "..#..");  // diamond of diagonal steps
        m.art(55, 31, "######", "#....#", "#.##.#", "#.##.#", "#....#", "######"); // ring around a square
        m.art(63, 31, "###", "#.#", "###", "#.#", "###");            // two holes
        m.art(68, 31, "#.#.#", ".#.#.", "#.#.#", ".#.#.", "#.#.#");  // checker
        m.art(75, 31, "###.", "#..#", "#..#", ".###");                // ring closed only diagonally
        m.art(81, 31, "#####.", "....#.", "###.#.", "#...#.", "#####.");  // spiral
        m.rect(0, 50, 3, 14);                          // touching the left and bottom edges
        m.rect(93, 45, 3, 4);                          // touching the right edge
        m.rect(40, 0, 1, 1);                           // touching the top edge
        m.rect(60, 61, 20, 3);                         // touching the bottom edge
        m.rect(95, 63, 1, 1);                          // bottom-right corner
        m.rect(10, 50, 12, 8);                         // rectangle with a notch and a bump
        m.clear(15, 50); m.clear(16, 50); m.set(22, 53);
        m.art(30, 50, "#......#", ".#....#.", "..#..#..", "...##...", "..#..#..", ".#....#.", "#......#");
        return m;
    }

    static Mask noise(String name, int w, int h, long seed, int percent) {
        Mask m = new Mask(name, w, h);
        Lcg r = new Lcg(seed);
        for (int i = 0; i < w * h; i++) m.on[i] = r.next(100) < percent;
        return m;
    }

    /** Noise smoothed by a few rounds of a 3x3 majority vote: blob-like shapes with ragged edges. */
    static Mask smoothed(String name, int w, int h, long seed, int percent, int rounds) {
        Mask m = noise(name, w, h, seed, percent);
        for (int k = 0; k < rounds; k++) {
            boolean[] next = new boolean[w * h];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    int n = 0;
                    for (int dy = -1; dy <= 1; dy++) for (int dx = -1; dx <= 1; dx++) if (m.get(x + dx, y + dy)) n++;
                    next[y * w + x] = n >= 5;
                }
            System.arraycopy(next, 0, m.on, 0, w * h);
        }
        return m;
    }

    /** Random ellipses, some overlapping, some cut by the image edge; a few punched with holes. */
    static Mask blobs(String name, int w, int h, long seed, int count) {
        Mask m = new Mask(name, w, h);
        Lcg r = new Lcg(seed);
        for (int i = 0; i < count; i++) {
            double cx = r.next(w * 4) / 4.0, cy = r.next(h * 4) / 4.0;
            double a = 2 + r.next(40) / 4.0, b = 1.5 + r.next(24) / 4.0;
            m.ellipse(cx, cy, a, b, r.next(360) * Math.PI / 180.0);
            if (r.next(4) == 0)
                for (int y = (int) cy - 1; y <= (int) cy + 1; y++) for (int x = (int) cx - 1; x <= (int) cx; x++) m.clear(x, y);
        }
        return m;
    }

    static List<Mask> masks() {
        List<Mask> out = new ArrayList<>();
        out.add(primitives());
        out.add(noise("noise35", 28, 20, 1, 35));
        out.add(noise("noise50", 32, 24, 2, 50));
        out.add(noise("noise62", 40, 30, 3, 62));
        out.add(smoothed("smooth", 96, 64, 4, 50, 3));
        out.add(blobs("blobs", 128, 96, 5, 40));
        return out;
    }

    static ResultsTable analyze(Mask m, boolean[] on, int options) {
        ByteProcessor ip = new ByteProcessor(m.w, m.h);
        for (int i = 0; i < on.length; i++) if (on[i]) ip.set(i, 255);
        ip.setThreshold(255, 255, ImageProcessor.NO_LUT_UPDATE);
        ResultsTable rt = new ResultsTable();
        ParticleAnalyzer pa = new ParticleAnalyzer(options, MEASUREMENTS, rt, 0, Double.POSITIVE_INFINITY, 0.0, 1.0);
        pa.setHideOutputImage(true);
        if (!pa.analyze(new ImagePlus(m.name, ip), ip)) throw new RuntimeException("analyze failed on " + m.name);
        return rt;
    }

    static void print(java.io.PrintStream out, Mask m, String conn, int label, ResultsTable rt, int row) {
        StringBuilder sb = new StringBuilder(m.name + "\t" + conn + "\t" + label);
        for (String c : COLUMNS) sb.append('\t').append(rt.getValueAsDouble(rt.getColumnIndex(c), row));
        out.println(sb);
    }

    /** The 4-connected components of a mask, numbered in raster order of their first pixel. */
    static int[] fourComponents(Mask m) {
        int[] lab = new int[m.w * m.h];
        int next = 0;
        int[] stack = new int[m.w * m.h];
        for (int i = 0; i < lab.length; i++) {
            if (!m.on[i] || lab[i] != 0) continue;
            lab[i] = ++next;
            int sp = 0;
            stack[sp++] = i;
            while (sp > 0) {
                int p = stack[--sp], x = p % m.w, y = p / m.w;
                int[][] nb = {{x + 1, y}, {x - 1, y}, {x, y + 1}, {x, y - 1}};
                for (int[] q : nb)
                    if (m.get(q[0], q[1]) && lab[q[1] * m.w + q[0]] == 0) {
                        lab[q[1] * m.w + q[0]] = next;
                        stack[sp++] = q[1] * m.w + q[0];
                    }
            }
        }
        return lab;
    }

    static String hexRows(Mask m) {
        StringBuilder sb = new StringBuilder();
        for (int y = 0; y < m.h; y++) {
            if (y > 0) sb.append(',');
            for (int x = 0; x < m.w; x += 4) {
                int d = 0;
                for (int k = 0; k < 4; k++) if (m.get(x + k, y)) d |= 8 >> k;
                sb.append(Character.forDigit(d, 16));
            }
        }
        return sb.toString();
    }

    public static void main(String[] args) {
        java.io.PrintStream out = System.out;
        // IJ.log goes to stdout when headless: keep it out of the table.
        System.setOut(new java.io.PrintStream(new java.io.ByteArrayOutputStream()));
        out.println("# Produced by ImageJ " + ij.IJ.getFullVersion()
            + " Analyze Particles (ij.plugin.filter.ParticleAnalyzer) via tests/data/imagej_parity/Shapes.java.");
        out.println("# mask rows: name, width, height, rows as hex (4 pixels a digit, leftmost pixel in the high bit).");
        out.println("# result rows: mask, connectivity, label, then ResultsTable.getValueAsDouble of each column.");
        out.println("# Connectivity 8: one run over the mask. Connectivity 4: FOUR_CONNECTED on each 4-component alone.");
        out.println("#\tmask\tconn\tlabel\t" + String.join("\t", COLUMNS));
        for (Mask m : masks()) {
            out.println("mask\t" + m.name + "\t" + m.w + "\t" + m.h + "\t" + hexRows(m));
            ResultsTable rt = analyze(m, m.on, 0);
            for (int row = 0; row < rt.size(); row++) print(out, m, "8", row + 1, rt, row);
            int[] lab = fourComponents(m);
            int n = 0;
            for (int l : lab) n = Math.max(n, l);
            for (int l = 1; l <= n; l++) {
                boolean[] only = new boolean[lab.length];
                for (int i = 0; i < lab.length; i++) only[i] = lab[i] == l;
                ResultsTable rt4 = analyze(m, only, ParticleAnalyzer.FOUR_CONNECTED);
                if (rt4.size() != 1) throw new RuntimeException(m.name + " component " + l + ": " + rt4.size() + " particles");
                print(out, m, "4", l, rt4, 0);
            }
        }
    }
}
