// ImageJ's side of tests/roi_files.rs: ImageJ's own .roi files and RoiSet.zip, and ImageJ's
// reading of the files fluocount writes.
//
// Build: javac -cp /usr/share/java/ij.jar RoiFiles.java
// Write ImageJ's files (tests/data/imagej_rois/imagej/) and print how ImageJ reads them back:
//   java -Djava.awt.headless=true -cp /usr/share/java/ij.jar:. RoiFiles write ../imagej_rois/imagej \
//     > ../imagej_rois/imagej.tsv
// Print how ImageJ reads fluocount's files (written by `FLUOCOUNT_REGEN_ROI=1 cargo test --test
// roi_files`):
//   java -Djava.awt.headless=true -cp /usr/share/java/ij.jar:. RoiFiles read ../imagej_rois/ours \
//     > ../imagej_rois/ours.tsv
//
// Each row: source (file, or zip!entry), name, ImageJ's type, float bounds x,y,w,h, the float
// polygon (x1,y1 x2,y2 ...; for an oval the integer getPolygon()), and the mask on a W x H image
// as runs "y:x0-x1" (x1 exclusive) of pixels with roi.contains(x, y), checked equal to getMask().
import ij.IJ;
import ij.gui.*;
import ij.io.RoiDecoder;
import ij.io.RoiEncoder;
import ij.process.*;
import java.awt.Polygon;
import java.awt.Rectangle;
import java.awt.geom.Rectangle2D;
import java.io.*;
import java.nio.file.*;
import java.util.*;
import java.util.zip.*;

public class RoiFiles {
    static final int W = 64, H = 48;

    static PolygonRoi poly(String name, int type, float... v) {
        float[] xs = new float[v.length / 2], ys = new float[v.length / 2];
        for (int i = 0; i < xs.length; i++) { xs[i] = v[2 * i]; ys[i] = v[2 * i + 1]; }
        PolygonRoi r = new PolygonRoi(new FloatPolygon(xs, ys), type);
        r.setName(name);
        return r;
    }

    static PolygonRoi intPoly(String name, int type, int... v) {
        int[] xs = new int[v.length / 2], ys = new int[v.length / 2];
        for (int i = 0; i < xs.length; i++) { xs[i] = v[2 * i]; ys[i] = v[2 * i + 1]; }
        PolygonRoi r = new PolygonRoi(xs, ys, xs.length, type);
        r.setName(name);
        return r;
    }

    static <T extends Roi> T named(T r, String name) { r.setName(name); return r; }

    /** File stem and ROI; the area ROIs go into RoiSet.zip too, the others are for refusals. */
    static Object[][] rois() {
        Roi rounded = named(new Roi(40, 4, 18, 12), "rounded");
        rounded.setCornerDiameter(6);
        return new Object[][] {
            {"rect", named(new Roi(10, 12, 30, 20), "rect"), true},
            {"subpixel-rect", named(new Roi(2.25, 3.75, 10.5, 7.3), "sub-pixel rect"), true},
            {"rounded", rounded, true},
            {"polygon", intPoly("polygon", Roi.POLYGON, 5, 5, 30, 8, 22, 30, 8, 25), true},
            {"float-polygon", poly("float polygon", Roi.POLYGON, 1.3f, 0.6f, 39.7f, 2.2f, 26.2f, 28.9f, 2.5f, 17.1f), true},
            {"freehand", poly("freehand", Roi.FREEROI, 30.5f, 20f, 40.25f, 21f, 47f, 30.5f, 44f, 40f, 33f, 41.75f, 28f, 33f), true},
            {"traced", intPoly("traced", Roi.TRACED_ROI, 50, 30, 54, 30, 54, 33, 58, 33, 58, 38, 50, 38), true},
            {"oval", named(new OvalRoi(20, 25, 17, 11), "oval"), true},
            {"unicode", intPoly("Кора – région ü 日本", Roi.POLYGON, 3, 30, 15, 28, 12, 44), true},
            {"line", named(new Line(1, 2, 30, 40), "a line"), false},
            {"point", named(new PointRoi(new int[] {3, 9}, new int[] {4, 7}, 2), "points"), false},
        };
    }

    public static void main(String[] args) throws Exception {
        System.out.println("# Produced by ImageJ " + IJ.getFullVersion() + " via tests/data/imagej_parity/RoiFiles.java "
            + args[0] + "; masks on a " + W + "x" + H + " image");
        System.out.println("# source\tname\ttype\tbounds\tpolygon\tarea\tmask");
        File dir = new File(args[1]);
        if (args[0].equals("write")) {
            dir.mkdirs();
            Object[][] all = rois();
            // As RoiManager.saveMultiple: one entry NAME.roi each, through a DataOutputStream.
            ZipOutputStream zos = new ZipOutputStream(new BufferedOutputStream(new FileOutputStream(new File(dir, "RoiSet.zip"))));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(zos));
            RoiEncoder re = new RoiEncoder(out);
            for (Object[] o : all) {
                Roi roi = (Roi) o[1];
                if (!RoiEncoder.save(roi, new File(dir, o[0] + ".roi").getPath()))
                    throw new RuntimeException("could not save " + o[0]);
                if ((Boolean) o[2]) {
                    zos.putNextEntry(new ZipEntry(roi.getName() + ".roi"));
                    re.write(roi);
                    out.flush();
                }
            }
            out.close();
        }
        String[] names = dir.list();
        Arrays.sort(names);
        for (String f : names) {
            File file = new File(dir, f);
            if (f.endsWith(".roi")) {
                print(f, Files.readAllBytes(file.toPath()), f);
            } else if (f.endsWith(".zip")) {
                ZipInputStream in = new ZipInputStream(new FileInputStream(file));
                ZipEntry e;
                while ((e = in.getNextEntry()) != null) {
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    byte[] buf = new byte[4096];
                    int n;
                    while ((n = in.read(buf)) > 0) b.write(buf, 0, n);
                    print(f + "!" + e.getName(), b.toByteArray(), e.getName());
                }
                in.close();
            }
        }
    }

    static void print(String source, byte[] bytes, String fileName) throws IOException {
        Roi roi = new RoiDecoder(bytes, fileName).getRoi();
        StringBuilder s = new StringBuilder();
        Rectangle2D b = roi.getFloatBounds();
        s.append(source).append('\t').append(roi.getName()).append('\t').append(roi.getTypeAsString()).append('\t')
            .append((float) b.getX()).append(',').append((float) b.getY()).append(',')
            .append((float) b.getWidth()).append(',').append((float) b.getHeight()).append('\t');
        if (roi instanceof OvalRoi) {
            Polygon p = roi.getPolygon();
            for (int i = 0; i < p.npoints; i++) s.append(i > 0 ? " " : "").append(p.xpoints[i]).append(',').append(p.ypoints[i]);
        } else {
            FloatPolygon p = roi.getFloatPolygon();
            for (int i = 0; i < p.npoints; i++) s.append(i > 0 ? " " : "").append(p.xpoints[i]).append(',').append(p.ypoints[i]);
        }
        s.append('\t');
        if (!roi.isArea()) {
            System.out.println(s.append("-\t-"));
            return;
        }
        ImageProcessor m = roi.getMask();
        Rectangle r = roi.getBounds();
        StringBuilder runs = new StringBuilder();
        int area = 0;
        for (int y = 0; y < H; y++) {
            int start = -1;
            for (int x = 0; x <= W; x++) {
                boolean c = x < W && roi.contains(x, y);
                boolean inMask = x < W && (m == null
                    ? r.contains(x, y)
                    : x >= r.x && y >= r.y && x < r.x + r.width && y < r.y + r.height && m.get(x - r.x, y - r.y) != 0);
                if (inMask != c) throw new RuntimeException(source + ": contains and getMask differ at " + x + "," + y);
                if (c) area++;
                if (c && start < 0) start = x;
                if (!c && start >= 0) {
                    runs.append(runs.length() > 0 ? " " : "").append(y).append(':').append(start).append('-').append(x);
                    start = -1;
                }
            }
        }
        System.out.println(s.append(area).append('\t').append(runs));
    }
}
