// Prints ImageJ's AutoThresholder level for every method on every histogram of a fixture.
// Build: javac -cp /usr/share/java/ij.jar Parity.java
// Run:   java -Djava.awt.headless=true -cp /usr/share/java/ij.jar:. Parity imagej_histograms.tsv > imagej_thresholds.tsv
import ij.process.AutoThresholder;
import java.nio.file.*;
import java.util.*;

public class Parity {
    static final String[] METHODS = {"Default", "Huang", "Intermodes", "IsoData", "Li", "MaxEntropy", "Mean",
        "MinError", "Minimum", "Moments", "Otsu", "Percentile", "RenyiEntropy", "Shanbhag", "Triangle", "Yen"};

    public static void main(String[] args) throws Exception {
        java.io.PrintStream out = System.out;
        // IJ.log goes to stdout when headless: keep it out of the table.
        System.setOut(new java.io.PrintStream(new java.io.ByteArrayOutputStream()));
        out.println("# Produced by ImageJ " + ij.IJ.getFullVersion()
            + " ij.process.AutoThresholder.getThreshold(Method, int[]) via tests/data/imagej_parity/Parity.java");
        out.println("# on the histograms of tests/data/imagej_histograms.tsv; 'exception' when ImageJ throws.");
        out.println("# name\tmethod\tlevel");
        for (String line : Files.readAllLines(Paths.get(args[0]))) {
            if (line.startsWith("#") || line.isEmpty()) continue;
            String[] f = line.split("\t", -1);
            int[] base = new int[Integer.parseInt(f[1])];
            if (!f[2].isEmpty())
                for (String p : f[2].split(",")) {
                    String[] kv = p.split(":");
                    base[Integer.parseInt(kv[0])] = Integer.parseInt(kv[1]);
                }
            for (String m : METHODS) {
                String level;
                try {
                    level = Integer.toString(new AutoThresholder().getThreshold(AutoThresholder.Method.valueOf(m), base.clone()));
                } catch (Exception e) {
                    level = "exception";
                }
                out.println(f[0] + "\t" + m + "\t" + level);
            }
        }
    }
}
