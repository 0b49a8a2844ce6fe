// Prints ImageJ's built-in lookup tables (ij.plugin.LutLoader) and the display range chosen by
// Process>Enhance Contrast (ij.plugin.ContrastEnhancer.stretchHistogram) on a few images.
// Build: javac -cp /usr/share/java/ij.jar DisplayParity.java
// Run:   java -Djava.awt.headless=true -cp /usr/share/java/ij.jar:. DisplayParity luts > ../imagej_luts.tsv
//        java -Djava.awt.headless=true -cp /usr/share/java/ij.jar:. DisplayParity contrast > ../imagej_contrast.tsv
import ij.plugin.ContrastEnhancer;
import ij.plugin.LutLoader;
import ij.process.*;
import java.awt.image.IndexColorModel;
import java.lang.reflect.Method;
import java.util.*;

public class DisplayParity {
    static final String[] LUTS = {"Grays", "Fire", "Green", "Red", "Magenta", "Cyan", "Ice", "Spectrum"};

    public static void main(String[] args) throws Exception {
        java.io.PrintStream out = System.out;
        System.setOut(new java.io.PrintStream(new java.io.ByteArrayOutputStream()));
        if (args[0].equals("luts")) luts(out);
        else contrast(out);
    }

    static void luts(java.io.PrintStream out) {
        out.println("# Produced by ImageJ " + ij.IJ.getFullVersion()
            + " ij.plugin.LutLoader.getLut(name) via tests/data/imagej_parity/DisplayParity.java");
        out.println("# lut\tindex\tred\tgreen\tblue");
        for (String name : LUTS) {
            IndexColorModel cm = LutLoader.getLut(name);
            for (int i = 0; i < 256; i++)
                out.println(name + "\t" + i + "\t" + cm.getRed(i) + "\t" + cm.getGreen(i) + "\t" + cm.getBlue(i));
        }
    }

    static long seed = 12345;
    static int next(int bound) {
        seed = (seed * 6364136223846793005L + 1442695040888963407L);
        return (int) ((seed >>> 33) % bound);
    }

    static void contrast(java.io.PrintStream out) throws Exception {
        out.println("# Produced by ImageJ " + ij.IJ.getFullVersion()
            + " ij.plugin.ContrastEnhancer.stretchHistogram(ip, saturated) via tests/data/imagej_parity/DisplayParity.java");
        out.println("# hmin/hmax: ContrastEnhancer.getMinAndMax (ImageJ changes the display only if hmax>hmin);");
        out.println("# min/max: ip.getMin()/getMax() afterwards; hist16: whether ImageJ used the full 16-bit histogram.");
        out.println("# histogram: value:count pairs, '-' for the same image as the row above.");
        out.println("# name\tbits\tsaturated\thistogram\thmin\thmax\tmin\tmax\thist16");
        double[] sats = {0.0, 0.35, 1.0, 5.0, 50.0, 100.0};
        List<Object[]> images = new ArrayList<>();
        int w = 24, h = 20, n = w * h;
        // 8-bit
        byte[] ramp = new byte[256];
        for (int i = 0; i < 256; i++) ramp[i] = (byte) i;
        images.add(new Object[]{"ramp8", new ByteProcessor(16, 16, ramp)});
        byte[] dim = new byte[n];
        for (int i = 0; i < n; i++) dim[i] = (byte) (10 + next(20) + next(20));
        dim[5] = (byte) 250; dim[6] = (byte) 3;
        images.add(new Object[]{"dim8", new ByteProcessor(w, h, dim)});
        byte[] cells = new byte[n];
        for (int i = 0; i < n; i++) cells[i] = (byte) (next(100) < 10 ? 120 + next(136) : 5 + next(15));
        images.add(new Object[]{"cells8", new ByteProcessor(w, h, cells)});
        byte[] flat = new byte[n];
        Arrays.fill(flat, (byte) 77);
        images.add(new Object[]{"flat8", new ByteProcessor(w, h, flat)});
        byte[] two = new byte[n];
        for (int i = 0; i < n; i++) two[i] = (byte) (i % 7 == 0 ? 200 : 0);
        images.add(new Object[]{"two8", new ByteProcessor(w, h, two)});
        // 16-bit
        short[] dim16 = new short[n];
        for (int i = 0; i < n; i++) dim16[i] = (short) (300 + next(800) + next(800));
        dim16[3] = (short) 4095;
        images.add(new Object[]{"dim16", new ShortProcessor(w, h, dim16, null)});
        short[] cells16 = new short[n];
        for (int i = 0; i < n; i++) cells16[i] = (short) (next(100) < 10 ? 20000 + next(45000) : 100 + next(900));
        images.add(new Object[]{"cells16", new ShortProcessor(w, h, cells16, null)});
        short[] ramp16 = new short[n];
        for (int i = 0; i < n; i++) ramp16[i] = (short) (i * 50);
        images.add(new Object[]{"ramp16", new ShortProcessor(w, h, ramp16, null)});
        short[] flat16 = new short[n];
        Arrays.fill(flat16, (short) 1234);
        images.add(new Object[]{"flat16", new ShortProcessor(w, h, flat16, null)});
        short[] high16 = new short[n];
        for (int i = 0; i < n; i++) high16[i] = (short) (60000 + next(5536));
        images.add(new Object[]{"high16", new ShortProcessor(w, h, high16, null)});

        Method gm = ContrastEnhancer.class.getDeclaredMethod("getMinAndMax",
            ImageProcessor.class, double.class, ImageStatistics.class);
        gm.setAccessible(true);
        for (Object[] im : images) {
            String name = (String) im[0];
            ImageProcessor base = (ImageProcessor) im[1];
            boolean sixteen = base instanceof ShortProcessor;
            TreeMap<Integer, Integer> hist = new TreeMap<>();
            for (int i = 0; i < base.getPixelCount(); i++) hist.merge(base.get(i), 1, Integer::sum);
            StringBuilder hs = new StringBuilder();
            for (Map.Entry<Integer, Integer> e : hist.entrySet())
                hs.append(hs.length() == 0 ? "" : ",").append(e.getKey()).append(":").append(e.getValue());
            for (double s : sats) {
                ImageProcessor ip = base.duplicate();
                ImageStatistics stats = ImageStatistics.getStatistics(ip, 16, null);
                int[] mm = (int[]) gm.invoke(new ContrastEnhancer(), ip, s, stats);
                new ContrastEnhancer().stretchHistogram(ip, s);
                out.println(name + "\t" + (sixteen ? 16 : 8) + "\t" + s + "\t" + (s == sats[0] ? hs : "-") + "\t" + mm[0] + "\t" + mm[1]
                    + "\t" + ip.getMin() + "\t" + ip.getMax() + "\t" + (stats.histogram16 != null));
            }
        }
    }
}
