// Prints ImageJ's pixel masks of a few rectangle and polygon ROIs, for tests/roi_parity.rs.
// Shapes are written in fluocount's roi text form (r:NAME:x,y,w,h or p:NAME:x1,y1,x2,y2,...).
// Build: javac -cp /usr/share/java/ij.jar RoiParity.java
// Run:   java -Djava.awt.headless=true -cp /usr/share/java/ij.jar:. RoiParity > ../imagej_rois.tsv
import ij.gui.*;
import ij.process.*;
import java.awt.Rectangle;

public class RoiParity {
    static final int W = 16, H = 14;
    static final String[] SHAPES = {
        "r:rect:2,3,7,5",
        "r:edge:-3,-2,6,5",
        "p:triangle:1,1,8,2,4,9",
        "p:square:0,0,10,0,10,10,0,10",
        "p:concave:0,0,10,0,10,10,5,4,0,10",
        "p:star:5,0,7,10,0,3,10,3,3,10",
        "p:float:1.3,0.6,9.7,2.2,6.2,8.9,2.5,7.1",
        "p:diagonals:0,0,6,6,12,0",
        "p:halves:0.5,0.5,8.5,0.5,8.5,6.5,0.5,6.5",
        "p:clipped:-4,-3,20,2,9,18",
        "p:bowtie:0,0,10,10,10,0,0,10",
        "p:thin:1,1,14,2,14,2.6,1,1.4",
        "p:spiky:2,12,3,1,4,12,5,2,6,12,7,3,8,12,11,0.2,15.5,12.9",
    };

    public static void main(String[] args) {
        System.out.println("# Produced by ImageJ " + ij.IJ.getFullVersion()
            + " via tests/data/imagej_parity/RoiParity.java: Roi/PolygonRoi.contains(x, y) on a "
            + W + "x" + H + " image");
        System.out.println("# (for polygons equal to getMask(), checked here), rows '#'=inside joined by '/'.");
        System.out.println("# roi\tarea_px\tmask");
        for (String s : SHAPES) {
            String[] f = s.split(":");
            String[] n = f[2].split(",");
            float[] v = new float[n.length];
            for (int i = 0; i < n.length; i++) v[i] = Float.parseFloat(n[i]);
            Roi roi;
            if (f[0].equals("r")) {
                roi = new Roi((int) v[0], (int) v[1], (int) v[2], (int) v[3]);
            } else {
                float[] xs = new float[v.length / 2], ys = new float[v.length / 2];
                for (int i = 0; i < xs.length; i++) { xs[i] = v[2 * i]; ys[i] = v[2 * i + 1]; }
                roi = new PolygonRoi(new FloatPolygon(xs, ys), Roi.POLYGON);
            }
            ImageProcessor m = roi.getMask();
            Rectangle b = roi.getBounds();
            StringBuilder rows = new StringBuilder();
            int area = 0;
            for (int y = 0; y < H; y++) {
                if (y > 0) rows.append('/');
                for (int x = 0; x < W; x++) {
                    boolean c = roi.contains(x, y);
                    if (m != null) {
                        boolean inMask = x >= b.x && y >= b.y && x < b.x + b.width && y < b.y + b.height
                            && m.get(x - b.x, y - b.y) != 0;
                        if (inMask != c) throw new RuntimeException(s + ": contains and getMask differ at " + x + "," + y);
                    }
                    rows.append(c ? '#' : '.');
                    if (c) area++;
                }
            }
            System.out.println(s + "\t" + area + "\t" + rows);
        }
    }
}
