import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

import io.kiln.transform.FittedStep;
import io.kiln.transform.Row;
import io.kiln.transform.StepContext;
import io.kiln.transform.label.LabelStep;

/**
 * The label step on ROWS synthetic texts (20 words each from a 2,000-word vocabulary, made from the
 * row's index, so nothing holds them) with 20 labeling functions (10 keyword lists, 10 regular
 * expressions) over 4 labels: pass 1 (votes + fitting the label model: majority, or Dawid-Skene with
 * 50 iterations) and pass 2 (votes again + the model's label), as a job runs them.
 *
 * <p>Limits, in the same JVM: the 20 functions' matching as a bare loop of {@link Pattern#matcher}
 * finds (the least work that applying them needs), and one pass counting the distinct vote patterns
 * in a HashMap (the least work a label model's fit needs). Prints markdown rows: rows per CPU second.
 *
 * <pre>java -cp target/classes:$(cat classpath) bench/Labeling.java ROWS</pre>
 */
public class Labeling {
    static final List<String> LABELS = List.of("a", "b", "c", "d");

    static String word(int index) {
        return "w" + Integer.toString(index * 7919 % 2000, 36);
    }

    static Row text(long i) {
        SplittableRandom random = new SplittableRandom(0xfeed ^ (i * 0x9E3779B97F4A7C15L));
        StringBuilder text = new StringBuilder();
        for (int w = 0; w < 20; w++) {
            // a Zipf-like pick: small indexes far more often
            int index = (int) Math.min(1999, Math.floor(Math.pow(2000, random.nextDouble())) - 1);
            text.append(w == 0 ? "" : " ").append(word(index));
        }
        return new Row("t" + i, Map.of("text", text.toString()));
    }

    static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    public static void main(String[] args) {
        long rows = Long.parseLong(args[0]);
        List<Map<String, Object>> functions = new ArrayList<>();
        List<Pattern> bare = new ArrayList<>();
        for (int f = 0; f < 10; f++) {
            List<String> keywords = new ArrayList<>();
            for (int k = 0; k < 5; k++) {
                keywords.add(word(20 + f * 37 + k * 3));
            }
            functions.add(Map.of("id", String.format("keywords-%02d", f), "kind", "keywords", "keywords", keywords, "label", LABELS.get(f % 4)));
            bare.add(Pattern.compile("(?<![\\w])(?:" + String.join("|", keywords.stream().sorted().map(Pattern::quote).toList()) + ")(?![\\w])",
                    Pattern.UNICODE_CHARACTER_CLASS | Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE));
            String regex = "\\b" + word(5 + f * 11) + "\\s+" + word(6 + f * 13) + "\\b|\\b" + word(40 + f) + "\\w*\\b";
            functions.add(Map.of("id", String.format("regex-%02d", f), "kind", "regex", "pattern", regex, "label", LABELS.get((f + 1) % 4)));
            bare.add(Pattern.compile(regex));
        }
        System.out.println("| rows | model | bare matching rows/CPU-s | pass 1 votes rows/CPU-s | pass 1 / bare | fit CPU s | fit rows/CPU-s | pass 2 rows/CPU-s | pass 2 / bare | coverage |");
        System.out.println("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (String model : List.of("majority", "dawid-skene")) {
            FittedStep step = (FittedStep) new LabelStep().bind(Map.of("labels", LABELS, "functions", functions, "model", Map.of("type", model)), StepContext.none());

            double cpu = cpuSeconds();
            long matches = 0;
            for (long i = 0; i < rows; i++) {
                String text = (String) text(i).value("text").get();
                for (Pattern pattern : bare) {
                    matches += pattern.matcher(text).find() ? 1 : 0;
                }
            }
            double bareCpu = cpuSeconds() - cpu;

            cpu = cpuSeconds();
            FittedStep.Fit fit = step.newFit();
            for (long i = 0; i < rows; i++) {
                fit.add(i, "t" + i, step.observe(text(i)));
            }
            double observeCpu = cpuSeconds() - cpu;
            double fitStart = cpuSeconds();
            fit.fit();
            double fitCpu = cpuSeconds() - fitStart;

            cpu = cpuSeconds();
            long labelled = 0;
            for (long i = 0; i < rows; i++) {
                if (fit.apply(i, text(i)) instanceof io.kiln.transform.Outcome.Emit emit && emit.row().value("label").isPresent()) {
                    labelled++;
                }
            }
            double applyCpu = cpuSeconds() - cpu;
            System.out.printf(Locale.ROOT, "| %,d | %s | %,.0f | %,.0f | %.2f | %.2f | %,.0f | %,.0f | %.2f | %.3f |%n", rows, model, rows / bareCpu,
                    rows / observeCpu, (rows / observeCpu) / (rows / bareCpu), fitCpu, rows / fitCpu,
                    rows / applyCpu, (rows / applyCpu) / (rows / bareCpu), (double) labelled / rows);
            if (matches < 0) {
                System.out.println(matches);
            }
        }
    }
}
