// Writes ImageJ's reading of TIFF calibrations and a calibrated fixture with its measurements.
// Build: javac -d /tmp/calp -cp /usr/share/java/ij.jar CalibrationParity.java
// Run:   java -Djava.awt.headless=true -cp /usr/share/java/ij.jar:/tmp/calp CalibrationParity \
//            ../imagej_calibrated.tif > ../imagej_calibration.tsv
//
// Part 1, 'case' rows: a 2x2 8-bit TIFF is built here for each set of header values (byte order,
// XResolution and YResolution as rationals, ResolutionUnit, ImageDescription), written to a
// temporary file and opened with ij.io.Opener; the row holds those values and the calibration
// ImageJ gives (pixelWidth, pixelHeight, getUnit(), scaled()). The Rust test builds the same
// headers from the row's values, so no TIFF of part 1 is committed.
//
// Part 2, 'object' rows: a 256x192 8-bit image with fourteen smooth blobs, calibrated 0.65 micron a
// pixel (Image > Properties), saved by ij.io.FileSaver.saveAsTiff as the fixture, opened again
// with IJ.openImage (its 'calibration' row is what ImageJ read back), thresholded at 128..255 and
// measured by Analyze Particles (8-connected, no size limits): Area, X, Y, BX, BY, Width,
// Height and Perim. in calibrated units, as ImageJ's Results table holds them.
import ij.IJ;
import ij.ImagePlus;
import ij.io.FileSaver;
import ij.io.Opener;
import ij.measure.Calibration;
import ij.measure.Measurements;
import ij.measure.ResultsTable;
import ij.plugin.filter.ParticleAnalyzer;
import ij.process.ByteProcessor;
import ij.process.ImageProcessor;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.file.Files;

public class CalibrationParity {
    static final String[] COLUMNS = {"Area", "X", "Y", "BX", "BY", "Width", "Height", "Perim."};

    /** A 2x2 8-bit grey TIFF; a negative unit, a null rational or description leaves the tag out. */
    static byte[] tiff(boolean le, long[] xres, long[] yres, int unit, String description) {
        java.util.List<long[]> tags = new java.util.ArrayList<>(); // tag, type, count, value
        byte[] desc = description == null ? null : (description + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int n = 8 + (xres != null ? 1 : 0) + (yres != null ? 1 : 0) + (unit >= 0 ? 1 : 0) + (desc != null ? 1 : 0);
        int ifd = 8, extra = ifd + 2 + n * 12 + 4;
        int xAt = extra, yAt = xAt + 8, descAt = yAt + 8, pixAt = descAt + (desc == null ? 0 : desc.length);
        tags.add(new long[] {256, 3, 1, 2});
        tags.add(new long[] {257, 3, 1, 2});
        tags.add(new long[] {258, 3, 1, 8});
        tags.add(new long[] {259, 3, 1, 1});
        tags.add(new long[] {262, 3, 1, 1});
        if (desc != null) tags.add(new long[] {270, 2, desc.length, descAt});
        tags.add(new long[] {273, 4, 1, pixAt});
        tags.add(new long[] {277, 3, 1, 1});
        tags.add(new long[] {279, 4, 1, 4});
        if (xres != null) tags.add(new long[] {282, 5, 1, xAt});
        if (yres != null) tags.add(new long[] {283, 5, 1, yAt});
        if (unit >= 0) tags.add(new long[] {296, 3, 1, unit});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Writer w = new Writer(out, le);
        out.write(le ? 'I' : 'M'); out.write(le ? 'I' : 'M');
        w.u16(42); w.u32(ifd);
        w.u16(tags.size());
        for (long[] t : tags) {
            w.u16((int) t[0]); w.u16((int) t[1]); w.u32(t[2]);
            if (t[1] == 3 && t[2] == 1) { w.u16((int) t[3]); w.u16(0); } else w.u32(t[3]);
        }
        w.u32(0);
        long[] xr = xres == null ? new long[] {0, 0} : xres, yr = yres == null ? new long[] {0, 0} : yres;
        w.u32(xr[0]); w.u32(xr[1]); w.u32(yr[0]); w.u32(yr[1]);
        if (desc != null) out.write(desc, 0, desc.length);
        out.write(10); out.write(20); out.write(30); out.write(40);
        return out.toByteArray();
    }

    static final class Writer {
        final ByteArrayOutputStream out; final boolean le;
        Writer(ByteArrayOutputStream out, boolean le) { this.out = out; this.le = le; }
        void u16(int v) { if (le) { out.write(v & 255); out.write((v >> 8) & 255); } else { out.write((v >> 8) & 255); out.write(v & 255); } }
        void u32(long v) {
            for (int i = 0; i < 4; i++) out.write((int) ((v >> (le ? 8 * i : 24 - 8 * i)) & 255));
        }
    }

    static void tiffCase(String name, boolean le, long[] xres, long[] yres, int unit, String description) throws Exception {
        File f = File.createTempFile("cal", ".tif");
        f.deleteOnExit();
        Files.write(f.toPath(), tiff(le, xres, yres, unit, description));
        ImagePlus imp = new Opener().openImage(f.getPath());
        if (imp == null) throw new RuntimeException("ImageJ could not open case " + name);
        Calibration c = imp.getCalibration();
        System.out.println(String.join("\t", "case", name, le ? "II" : "MM", rational(xres), rational(yres),
            unit < 0 ? "-" : Integer.toString(unit),
            description == null ? "-" : description.replace("\\", "\\\\").replace("\n", "\\n"),
            Double.toString(c.pixelWidth), Double.toString(c.pixelHeight), c.getUnit(), Boolean.toString(c.scaled())));
    }

    static String rational(long[] v) { return v == null ? "-" : v[0] + "/" + v[1]; }

    public static void main(String[] args) throws Exception {
        System.out.println("# Produced by ImageJ " + IJ.getFullVersion() + " via tests/data/imagej_parity/CalibrationParity.java.");
        System.out.println("# case rows: name, byte order, XResolution, YResolution (num/den, - absent), ResolutionUnit (- absent),");
        System.out.println("#   ImageDescription (\\n for a line break, - absent), then ImageJ's pixelWidth, pixelHeight, getUnit(), scaled().");
        long[] r72 = {72, 1}, r300 = {300, 1};
        tiffCase("no_resolution", true, null, null, -1, null);
        tiffCase("inch_72", true, r72, r72, 2, null);
        tiffCase("inch_144_over_2", false, new long[] {144, 2}, new long[] {144, 2}, 2, null);
        tiffCase("inch_96", true, new long[] {96, 1}, new long[] {96, 1}, 2, null);
        tiffCase("inch_72_by_96", true, r72, new long[] {96, 1}, 2, null);
        tiffCase("inch_300_be", false, r300, r300, 2, null);
        tiffCase("cm_10000", true, new long[] {10000, 1}, new long[] {10000, 1}, 3, null);
        tiffCase("cm_15385_be", false, new long[] {153846, 10}, new long[] {153846, 10}, 3, null);
        tiffCase("cm_nonsquare", true, new long[] {4000, 1}, new long[] {2000, 1}, 3, null);
        tiffCase("cm_x_only", true, new long[] {4000, 1}, null, 3, null);
        tiffCase("cm_1000_imagej_threshold", true, new long[] {1000, 1}, new long[] {1000, 1}, 3, null);
        tiffCase("cm_999", true, new long[] {999, 1}, new long[] {999, 1}, 3, null);
        tiffCase("imagej_cm_5000", true, new long[] {5000, 1}, new long[] {5000, 1}, 3, "ImageJ=1.53t\nunit=cm\n");
        tiffCase("unit_none", true, new long[] {2, 1}, new long[] {2, 1}, 1, null);
        tiffCase("no_unit_tag", true, new long[] {2, 1}, new long[] {2, 1}, -1, null);
        tiffCase("unit_unknown", true, new long[] {2, 1}, new long[] {2, 1}, 5, null);
        tiffCase("cm_zero_over_zero", true, new long[] {0, 0}, new long[] {0, 0}, 3, null);
        tiffCase("cm_zero_numerator", false, new long[] {0, 5}, new long[] {0, 5}, 3, null);
        tiffCase("cm_no_resolution", true, null, null, 3, null);
        tiffCase("cm_huge", true, new long[] {4294967295L, 1}, new long[] {4294967295L, 1}, 3, null);
        tiffCase("imagej_micron", true, new long[] {1000000, 650000}, new long[] {1000000, 650000}, 1, "ImageJ=1.53t\nunit=micron\n");
        tiffCase("imagej_escaped_um_be", false, new long[] {2, 1}, new long[] {2, 1}, -1, "ImageJ=1.53t\nunit=\\u00B5m\n");
        tiffCase("imagej_um_over_cm", true, new long[] {10000, 1}, new long[] {10000, 1}, 3, "ImageJ=1.53t\nunit=um\n");
        tiffCase("imagej_nm", true, new long[] {1, 50}, new long[] {1, 50}, -1, "ImageJ=1.53t\nunit=nm\n");
        tiffCase("imagej_inch_desc", true, new long[] {300, 1}, new long[] {300, 1}, 2, "ImageJ=1.53t\nunit=inch\n");
        tiffCase("imagej_no_unit_line", true, new long[] {2, 1}, new long[] {2, 1}, 1, "ImageJ=1.53t\nimages=1\n");
        tiffCase("imagej_spacing", true, new long[] {4, 1}, new long[] {4, 1}, -1, "ImageJ=1.53t\nunit=micron\nspacing=2.5\n");
        tiffCase("other_description", true, new long[] {2, 1}, new long[] {2, 1}, 1, "unit=micron\n");

        // Part 2: the calibrated fixture.
        int w = 256, h = 192;
        ByteProcessor ip = new ByteProcessor(w, h);
        // Fourteen blobs on a 4x4 grid less two, radius 8 to 13, jittered by a fixed rule.
        java.util.List<int[]> blobs = new java.util.ArrayList<>();
        for (int k = 0; k < 16; k++) {
            if (k == 5 || k == 10) continue;
            int gx = k % 4, gy = k / 4;
            blobs.add(new int[] {32 + gx * 64 + (k * 7) % 11 - 5, 24 + gy * 48 + (k * 5) % 9 - 4, 8 + (k * 3) % 6});
        }
        long seed = 18;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                // Knuth's MMIX generator as noise of 0..23 grey levels.
                seed = seed * 6364136223846793005L + 1442695040888963407L;
                double v = 12 + ((seed >>> 40) % 24);
                for (int[] b : blobs) {
                    double d = Math.hypot(x + 0.5 - b[0], y + 0.5 - b[1]) / b[2];
                    if (d < 1.3) v = Math.max(v, 12 + ((seed >>> 40) % 24) + 200 * Math.max(0, 1 - d * d * 0.55));
                }
                ip.set(x, y, (int) Math.round(Math.min(255, v)));
            }
        ImagePlus imp = new ImagePlus("calibrated", ip);
        Calibration cal = imp.getCalibration();
        cal.pixelWidth = 0.65;
        cal.pixelHeight = 0.65;
        cal.setUnit("micron");
        if (!new FileSaver(imp).saveAsTiff(args[0])) throw new RuntimeException("not saved: " + args[0]);
        ImagePlus back = IJ.openImage(args[0]);
        Calibration c = back.getCalibration();
        System.out.println("# calibration row: what ImageJ reads back from the fixture: pixelWidth, pixelHeight, getUnit().");
        System.out.println(String.join("\t", "calibration", new File(args[0]).getName(), Double.toString(c.pixelWidth),
            Double.toString(c.pixelHeight), c.getUnit()));
        ImageProcessor bp = back.getProcessor();
        bp.setThreshold(128, 255, ImageProcessor.NO_LUT_UPDATE);
        ResultsTable rt = new ResultsTable();
        int measurements = Measurements.AREA | Measurements.PERIMETER | Measurements.CENTROID | Measurements.RECT;
        ParticleAnalyzer pa = new ParticleAnalyzer(0, measurements, rt, 0, Double.POSITIVE_INFINITY, 0.0, 1.0);
        if (!pa.analyze(back, bp)) throw new RuntimeException("analyze failed");
        System.out.println("# object rows: label, then " + String.join(", ", COLUMNS) + " (threshold 128..255, 8-connected).");
        for (int i = 0; i < rt.size(); i++) {
            StringBuilder sb = new StringBuilder("object\t" + (i + 1));
            for (String col : COLUMNS) sb.append('\t').append(rt.getValueAsDouble(rt.getColumnIndex(col), i));
            System.out.println(sb);
        }
    }
}
