import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * Writes the text Java gives each of 6,000,000 doubles and floats (a group name, a tab, the text per line), so
 * that two Java versions' outputs can be compared line by line: bench/double-text.sh. The content digest takes a
 * double's or float's text from Double.toString / Float.toString (README, "kiln.content-digest").
 */
public class DoubleText {
    private static final int COUNT = 1_000_000;

    public static void main(String[] args) throws Exception {
        StringBuilder out = new StringBuilder(COUNT * 6 * 24);
        Random bits = new Random(7);
        for (int i = 0; i < COUNT; i++) {
            line(out, "random-bits", Double.toString(Double.longBitsToDouble(bits.nextLong())));
        }
        for (int i = 0; i < COUNT; i++) {
            line(out, "uniform", Double.toString(bits.nextDouble()));
        }
        for (int i = 0; i < COUNT; i++) {
            line(out, "log1p", Double.toString(Math.log1p(bits.nextInt(100_000))));
        }
        Random values = new Random(42);
        for (int i = 0; i < COUNT; i++) {
            // a two-decimal value below 10^5, as a CSV or JSON file holds it
            double value = Double.parseDouble(String.format(Locale.ROOT, "%.2f", values.nextDouble() * 100_000));
            line(out, "two-decimals", Double.toString(value));
        }
        for (int i = 0; i < COUNT; i++) {
            line(out, "gaussian", Double.toString(values.nextGaussian()));
        }
        for (int i = 0; i < COUNT; i++) {
            line(out, "gaussian-float", Float.toString((float) values.nextGaussian()));
        }
        Files.writeString(Path.of(args[0]), out);
    }

    private static void line(StringBuilder out, String group, String text) {
        out.append(group).append('\t').append(text).append('\n');
    }
}
