import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import io.kiln.transform.FittedStep;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepContext;
import io.kiln.transform.privacy.AnonymizeStep;

/**
 * Time and memory of the anonymize step on ROWS synthetic rows with 4 quasi-identifiers (age, zip,
 * sex, education) and a sensitive diagnosis: the step's own code, as the job runs it (observe every
 * row, fit = the lattice search, then apply to every row), without reading or writing files. Rows are
 * made from their index (a seeded generator per row), in both passes, so nothing holds them.
 *
 * <p>The limit, measured in the same JVM just before: one plain GROUP BY of the same rows over the
 * exact quasi-identifiers in a HashMap (the least work any k-anonymity check must do). Prints one
 * markdown table row; run one JVM per lattice size, so that the peak RSS (VmHWM) is the step's own.
 *
 * <pre>java -cp target/classes:$(cat classpath) bench/Anonymize.java ROWS AGE_LEVELS ZIP_LEVELS EDUCATION_LEVELS K</pre>
 */
public class Anonymize {
    private static final String[] SEXES = {"female", "male"};
    private static final String[] DIAGNOSES = {"flu", "asthma", "diabetes", "migraine", "gastritis", "fracture", "allergy", "anemia"};

    /** Synthetic person {@code i}: ages 18-90, 3,000 ZIP codes of uneven size, years of education 0-20. */
    static Row person(long i) {
        SplittableRandom random = new SplittableRandom(0x5eed ^ (i * 0x9E3779B97F4A7C15L));
        int zip = (int) Math.min(2999, Math.abs(random.nextGaussian()) * 900);
        Map<String, Object> columns = new HashMap<>();
        columns.put("age", 18L + random.nextInt(73));
        columns.put("zip", String.format(Locale.ROOT, "%05d", 10000 + zip * 7));
        columns.put("sex", SEXES[random.nextInt(2)]);
        columns.put("education", (long) random.nextInt(21));
        columns.put("diagnosis", DIAGNOSES[random.nextInt(DIAGNOSES.length)]);
        return new Row("p" + i, columns);
    }

    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static long peakRssKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    public static void main(String[] args) throws Exception {
        long rows = Long.parseLong(args[0]);
        int ageLevels = Integer.parseInt(args[1]);
        int zipLevels = Integer.parseInt(args[2]);
        int educationLevels = Integer.parseInt(args[3]);
        int k = Integer.parseInt(args[4]);
        Map<String, Object> parameters = Map.of(
                "columns", Map.of(
                        "age", Map.of("role", "quasi-identifier", "hierarchy", Map.of("type", "intervals", "width", 5, "fanout", 2, "levels", ageLevels)),
                        "zip", Map.of("role", "quasi-identifier", "hierarchy", Map.of("type", "mask", "levels", zipLevels)),
                        "sex", Map.of("role", "quasi-identifier", "hierarchy", Map.of("type", "groups", "levels", List.of(Map.of("female", "person", "male", "person")))),
                        "education", Map.of("role", "quasi-identifier", "hierarchy", Map.of("type", "intervals", "width", 2, "fanout", 2, "levels", educationLevels)),
                        "diagnosis", Map.of("role", "sensitive")),
                "k", k,
                "maxSuppression", 0.02);
        FittedStep step = (FittedStep) new AnonymizeStep().bind(parameters, StepContext.none());
        long lattice = (long) (ageLevels + 2) * (zipLevels + 2) * 3 * (educationLevels + 2);

        // the limit: one GROUP BY over the exact quasi-identifiers
        long wall = System.nanoTime();
        long cpu = cpuNanos();
        Map<List<Object>, long[]> classes = new HashMap<>();
        for (long i = 0; i < rows; i++) {
            Row row = person(i);
            classes.computeIfAbsent(List.of(row.value("age").get(), row.value("zip").get(), row.value("sex").get(), row.value("education").get()),
                    ignored -> new long[1])[0]++;
        }
        double groupBySeconds = (System.nanoTime() - wall) / 1e9;
        double groupByCpu = (cpuNanos() - cpu) / 1e9;
        long distinct = classes.size();
        classes = null;
        System.gc();

        // the step: pass 1 observes and fits (the search), pass 2 applies
        wall = System.nanoTime();
        cpu = cpuNanos();
        FittedStep.Fit fit = step.newFit();
        for (long i = 0; i < rows; i++) {
            Row row = person(i);
            fit.add(i, row.id(), step.observe(row));
        }
        double observeSeconds = (System.nanoTime() - wall) / 1e9;
        long fitStart = System.nanoTime();
        fit.fit();
        double fitSeconds = (System.nanoTime() - fitStart) / 1e9;
        long applyStart = System.nanoTime();
        long kept = 0;
        for (long i = 0; i < rows; i++) {
            if (fit.apply(i, person(i)) instanceof Outcome.Emit) {
                kept++;
            }
        }
        double applySeconds = (System.nanoTime() - applyStart) / 1e9;
        double stepSeconds = (System.nanoTime() - wall) / 1e9;
        double stepCpu = (cpuNanos() - cpu) / 1e9;
        Map<String, String> summary = fit.summary();
        System.out.printf(Locale.ROOT, "| %,d | %,d | %s | %,d | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f | %.1f | %,d | %s |%n",
                rows, lattice, summary.get("kiln.privacy.nodes-evaluated"), distinct, groupBySeconds, observeSeconds, fitSeconds, applySeconds,
                stepSeconds, stepSeconds / groupBySeconds, stepCpu / groupByCpu, peakRssKb() / 1024,
                summary.get("kiln.privacy.levels") + " suppressed " + summary.get("kiln.privacy.suppressed-rows") + ", kept " + kept
                        + ", loss " + String.format(Locale.ROOT, "%.4f", Double.parseDouble(summary.get("kiln.privacy.loss"))));
    }
}
