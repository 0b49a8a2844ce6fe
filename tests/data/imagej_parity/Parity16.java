// javac -cp /usr/share/java/ij.jar Parity16.java && java -cp /usr/share/java/ij.jar:. Parity16 > ../imagej_thresholds16.tsv
import ij.process.*;
/** Expected 16-bit auto-threshold levels from ImageJ: prints "case method minThreshold". */
public class Parity16 {
  static long s;
  static int next(int n) { s = s*6364136223846793005L + 1442695040888963407L; return (int)((s>>>33) % n); }
  public static void main(String[] a) {
    for (int c = 0; c < 12; c++) {
      int w = 64, h = 32; short[] px = new short[w*h];
      s = 1000 + c;
      int base = next(5000), spread = 1 + next(4000), fg = 2000 + next(40000), fgSpread = 1 + next(9000);
      int split = 8 + next(40);
      for (int i = 0; i < w*h; i++) {
        int v = (i % w) < split ? base + next(spread) : fg + next(fgSpread);
        px[i] = (short) Math.min(v, 65535);
      }
      ShortProcessor ip = new ShortProcessor(w, h, px, null);
      for (AutoThresholder.Method m : AutoThresholder.Method.values()) {
        if (m == AutoThresholder.Method.IJ_IsoData) continue;
        ip.resetMinAndMax();
        ip.setAutoThreshold(m, true, ImageProcessor.NO_LUT_UPDATE);
        System.out.println(c + "\t" + m + "\t" + (long) ip.getMinThreshold());
      }
    }
  }
}
