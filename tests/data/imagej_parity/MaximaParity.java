// Writes small float images with ImageJ's Find Maxima result on each, and binary masks with
// ImageJ's Euclidean distance map (edges are background) and the maxima of that map, both as a
// plain float image and in EDM mode (corrected heights, as ImageJ's Watershed).
// Build: javac -cp /usr/share/java/ij.jar MaximaParity.java
// Run:   java -Djava.awt.headless=true -cp /usr/share/java/ij.jar:. MaximaParity > ../imagej_maxima.tsv
import ij.plugin.filter.EDM;
import ij.plugin.filter.MaximumFinder;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import java.awt.Polygon;
import java.util.*;

public class MaximaParity {
    static final double[] PROMINENCES = {0, 0.5, 1, 2.5, 5};
    static java.io.PrintStream out;

    public static void main(String[] args) {
        out = System.out;
        // IJ.log goes to stdout when headless: keep it out of the table.
        System.setOut(new java.io.PrintStream(new java.io.ByteArrayOutputStream()));
        out.println("# Produced by ImageJ " + ij.IJ.getFullVersion()
            + " via tests/data/imagej_parity/MaximaParity.java.");
        out.println("# kind 'float': MaximumFinder.getMaxima(FloatProcessor, prominence, false) of the values.");
        out.println("# kind 'edm': values = squares of EDM.makeFloatEDM(mask, 0, true), an exact integer each");
        out.println("#   (the EDM is (float) sqrt of it; the mask is where it is > 0),");
        out.println("#   maxima = getMaxima of that EDM as a plain float image (no EDM correction),");
        out.println("#   edm_maxima = findMaxima(edm, prominence, NO_THRESHOLD, SINGLE_POINTS, false, true).");
        out.println("# Maxima are x:y, sorted by y then x.");
        out.println("# name\tkind\twidth\theight\tprominence\tvalues\tmaxima\tedm_maxima");
        Random rnd = new Random(20240611L);
        for (int i = 0; i < 12; i++) {
            // Few integer levels: plateaus and equal maxima everywhere.
            int w = 4 + rnd.nextInt(14), h = 3 + rnd.nextInt(12), levels = 2 + rnd.nextInt(5);
            float[] v = new float[w * h];
            for (int k = 0; k < v.length; k++) v[k] = rnd.nextInt(levels);
            emitFloat("levels" + i, w, h, v, PROMINENCES[i % PROMINENCES.length]);
        }
        for (int i = 0; i < 12; i++) {
            // Smooth bumps with a little noise, in quarter steps so the text is exact.
            int w = 16 + rnd.nextInt(24), h = 12 + rnd.nextInt(20), n = 2 + rnd.nextInt(5);
            float[] v = new float[w * h];
            for (int b = 0; b < n; b++) {
                double cx = rnd.nextDouble() * w, cy = rnd.nextDouble() * h;
                double amp = 4 + rnd.nextDouble() * 12, s = 2 + rnd.nextDouble() * 5;
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        v[y * w + x] += amp * Math.exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * s * s));
            }
            for (int k = 0; k < v.length; k++)
                v[k] = Math.round((v[k] + rnd.nextDouble() * 1.5) * 4) / 4f;
            emitFloat("bumps" + i, w, h, v, PROMINENCES[i % PROMINENCES.length]);
        }
        for (int i = 0; i < 8; i++) {
            // Overlapping discs, some cut by the image edge.
            int w = 30 + rnd.nextInt(40), h = 24 + rnd.nextInt(30), n = 1 + rnd.nextInt(4);
            ByteProcessor bp = new ByteProcessor(w, h);
            for (int b = 0; b < n; b++) {
                double cx = rnd.nextDouble() * w, cy = rnd.nextDouble() * h, r = 4 + rnd.nextDouble() * 9;
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) bp.set(x, y, 255);
            }
            emitEdm("edm" + i, bp, i % 2 == 0 ? 0.5 : 1);
        }
        for (int i = 0; i < 6; i++) {
            // Tilted elongated ellipses, whose distance map ridges ripple.
            int w = 64, h = 48;
            double a = 18 + rnd.nextDouble() * 12, b = 5 + rnd.nextDouble() * 5, t = rnd.nextDouble() * Math.PI;
            double co = Math.cos(t), si = Math.sin(t), cx = 32 + rnd.nextDouble(), cy = 24 + rnd.nextDouble();
            ByteProcessor bp = new ByteProcessor(w, h);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    double u = (co * (x - cx) + si * (y - cy)) / a, v = (-si * (x - cx) + co * (y - cy)) / b;
                    if (u * u + v * v <= 1) bp.set(x, y, 255);
                }
            emitEdm("ellipse" + i, bp, new double[] {0.1, 0.25, 0.5}[i % 3]);
        }
    }

    static void emitEdm(String name, ByteProcessor bp, double prominence) {
        int w = bp.getWidth(), h = bp.getHeight();
        FloatProcessor edm = new EDM().makeFloatEDM(bp, 0, true);
        float[] d = (float[]) edm.getPixels();
        StringJoiner squares = new StringJoiner(",");
        for (float f : d) {
            long d2 = Math.round((double) f * f);
            if ((float) Math.sqrt(d2) != f) throw new IllegalStateException(name + ": EDM value " + f);
            squares.add(Long.toString(d2));
        }
        ByteProcessor pts = new MaximumFinder().findMaxima(edm.duplicate(), prominence,
            ij.process.ImageProcessor.NO_THRESHOLD, MaximumFinder.SINGLE_POINTS, false, true);
        StringJoiner edmMaxima = new StringJoiner(",");
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                if (pts.get(x, y) != 0) edmMaxima.add(x + ":" + y);
        emit(name, "edm", w, h, prominence, squares.toString(), d, edmMaxima.toString());
    }

    static void emitFloat(String name, int w, int h, float[] v, double prominence) {
        StringJoiner values = new StringJoiner(",");
        for (float f : v) values.add(Float.toString(f));
        emit(name, "float", w, h, prominence, values.toString(), v, "");
    }

    static void emit(String name, String kind, int w, int h, double prominence, String values, float[] v,
            String edmMaxima) {
        FloatProcessor fp = new FloatProcessor(w, h, v.clone());
        Polygon p = new MaximumFinder().getMaxima(fp, prominence, false);
        List<int[]> pts = new ArrayList<>();
        for (int k = 0; k < p.npoints; k++) pts.add(new int[] {p.xpoints[k], p.ypoints[k]});
        pts.sort((a, b) -> a[1] != b[1] ? a[1] - b[1] : a[0] - b[0]);
        StringJoiner maxima = new StringJoiner(",");
        for (int[] q : pts) maxima.add(q[0] + ":" + q[1]);
        out.println(name + "\t" + kind + "\t" + w + "\t" + h + "\t" + prominence + "\t" + values + "\t"
            + maxima + "\t" + edmMaxima);
    }
}
