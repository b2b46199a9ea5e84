import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import java.util.function.DoubleFunction;

/**
 * Writes the text of each of 8,000,000 doubles and floats (a group name, a tab, the text per line), so that two Java
 * versions, or Java and Kiln, can be compared line by line: bench/double-text.sh. With the argument {@code java} the
 * text is Java's {@code Double.toString} / {@code Float.toString}; with {@code kiln}, Kiln's
 * {@code io.kiln.transform.Values.numberText}, the text the content digest takes (README, "kiln.content-digest"). The
 * class path must hold Kiln's classes and jackson-core either way.
 */
public class DoubleText {
    private static final int COUNT = 1_000_000;

    public static void main(String[] args) throws Exception {
        boolean kiln = args[0].equals("kiln");
        DoubleFunction<String> doubles = kiln ? value -> io.kiln.transform.Values.numberText(value) : Double::toString;
        DoubleFunction<String> floats = kiln ? value -> io.kiln.transform.Values.numberText((float) value) : value -> Float.toString((float) value);
        StringBuilder out = new StringBuilder(COUNT * 8 * 24);
        Random bits = new Random(7);
        for (int i = 0; i < COUNT; i++) {
            line(out, "random-bits", doubles.apply(Double.longBitsToDouble(bits.nextLong())));
        }
        for (int i = 0; i < COUNT; i++) {
            line(out, "uniform", doubles.apply(bits.nextDouble()));
        }
        for (int i = 0; i < COUNT; i++) {
            line(out, "log1p", doubles.apply(Math.log1p(bits.nextInt(100_000))));
        }
        Random values = new Random(42);
        for (int i = 0; i < COUNT; i++) {
            // a two-decimal value below 10^5, as a CSV or JSON file holds it
            double value = Double.parseDouble(String.format(Locale.ROOT, "%.2f", values.nextDouble() * 100_000));
            line(out, "two-decimals", doubles.apply(value));
        }
        for (int i = 0; i < COUNT; i++) {
            line(out, "gaussian", doubles.apply(values.nextGaussian()));
        }
        for (int i = 0; i < COUNT; i++) {
            line(out, "gaussian-float", floats.apply((float) values.nextGaussian()));
        }
        Random floatBits = new Random(3);
        for (int i = 0; i < COUNT; i++) {
            line(out, "random-bits-float", floats.apply(Float.intBitsToFloat(floatBits.nextInt())));
        }
        for (int i = 0; i < COUNT; i++) {
            // a whole number below 10^10 held in a float, as a count or an amount in a float column
            line(out, "whole-float", floats.apply((float) Math.floor(values.nextDouble() * 1e10)));
        }
        Files.writeString(Path.of(args[1]), out);
    }

    private static void line(StringBuilder out, String group, String text) {
        out.append(group).append('\t').append(text).append('\n');
    }
}
