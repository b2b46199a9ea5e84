package io.kiln.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** Renders jobs for people: the summary printed when a job ends, and one-line progress. */
final class JobReport
{
    private static final int BAR_WIDTH = 24;
    private static final String LABEL_FORMAT = "  %-12s %s%n";

    private JobReport() {}

    /** A multi-line summary: state, table, snapshot, counts, rejects by reason, steps, checks, error. */
    static String summary(Job job)
    {
        StringBuilder text = new StringBuilder();
        line(text, "Job %s %s".formatted(job.id(), job.state()));
        label(text, "table", job.tableName().orElse("-"));
        label(text, "snapshot", job.snapshot().map(String::valueOf).orElse("-"));
        label(text, "read", String.valueOf(job.counts().read()));
        label(text, "written", String.valueOf(job.counts().written()));
        label(text, "rejected", String.valueOf(job.counts().rejected()));
        if (job.counts().merged() != 0) {
            label(text, "merged", job.counts().merged() + " (lookup records that joined rows)");
        }
        if (!job.rejectedByReason().isEmpty()) {
            line(text, "  rejected by reason:");
            appendCountsByReason(text, job.rejectedByReason(), "    ");
        }
        if (!job.steps().isEmpty()) {
            line(text, "  steps:");
            for (Job.StepCounts step : job.steps()) {
                line(text, "    %s: forwarded %d%s%s%s".formatted(step.step(), step.forwarded(), dropped(step.dropped()), counted(step.counted()),
                        step.rowsPerSecond() > 0 ? "; %.0f rows/s per thread".formatted(step.rowsPerSecond()) : ""));
            }
        }
        if (!job.checks().isEmpty()) {
            line(text, "  checks:");
            job.checks().forEach(check -> {
                String outcome = check.path("outcome").asText("?");
                String message = check.path("message").asText("");
                line(text, "    " + (outcome.equals("PASSED") ? "passed  " : "FAILED  ") + check.path("source").asText("") + ": "
                        + check.path("rule").asText(check.toString()) + (outcome.equals("PASSED") || message.isEmpty() ? "" : "  (" + message + ")"));
            });
        }
        label(text, "created", Optional.ofNullable(job.createdAt()).orElse("-"));
        duration(job).ifPresent(duration -> label(text, "took", seconds(duration)));
        if (!job.terminal()) {
            label(text, "progress", progress(job));
        }
        job.failure().ifPresent(error -> label(text, "error", "%s: %s".formatted(error.code(), error.message())));
        return text.toString();
    }

    /** One line for a terminal, redrawn in place: state, bar, percent, rate, counts. */
    static String progressBar(Job job, Duration elapsed)
    {
        double fraction = job.progress().clampedFraction();
        int filled = (int) Math.round(fraction * BAR_WIDTH);
        String bar = filled >= BAR_WIDTH
                ? "=".repeat(BAR_WIDTH)
                : "=".repeat(filled) + (filled > 0 ? ">" : " ") + " ".repeat(BAR_WIDTH - filled - 1);
        return "%-9s [%s] %s".formatted(job.state(), bar, progress(job, elapsed));
    }

    /** One line for a log: elapsed time, state, percent, rate, counts. */
    static String progressLine(Job job, Duration elapsed)
    {
        return "%s %s".formatted(job.state(), progress(job, elapsed));
    }

    private static String progress(Job job, Duration elapsed)
    {
        return "%s  %s".formatted(progress(job), seconds(elapsed));
    }

    /** The phase, the share of every pass over the input, the rates, an ETA for the input still to read, and the counts. */
    private static String progress(Job job)
    {
        Job.Progress progress = job.progress();
        String phase = progress.phase() == null ? "" : "%-13s ".formatted(phaseName(progress.phase()));
        String eta = progress.etaSeconds() == null ? "" : "  ETA " + seconds(Duration.ofSeconds(progress.etaSeconds()));
        return String.format(Locale.ROOT, "%s%3.0f%%  %,.0f records/s  %.1f MB/s%s  read %,d  written %,d  rejected %,d",
                phase,
                progress.clampedFraction() * 100,
                progress.recordsPerSecond(),
                progress.bytesPerSecond() / 1e6,
                eta,
                Math.max(job.counts().read(), progress.recordsRead()),
                job.counts().written(),
                job.counts().rejected());
    }

    private static String phaseName(String phase)
    {
        return switch (phase) {
            case "PLANNING" -> "hashing";
            case "DEDUPLICATING" -> "deduplicating";
            case "READING" -> "writing";
            case "COMMITTING" -> "committing";
            case "AUDITING" -> "auditing";
            case "QUEUED" -> "queued";
            default -> phase.toLowerCase(Locale.ROOT);
        };
    }

    private static String dropped(Map<String, Long> dropped)
    {
        if (dropped.isEmpty()) {
            return "";
        }
        return dropped.entrySet().stream()
                .sorted(byCountThenName())
                .map(entry -> "%s %d".formatted(entry.getKey(), entry.getValue()))
                .collect(Collectors.joining(", ", ", dropped ", ""));
    }

    private static String counted(Map<String, Long> counted)
    {
        if (counted.isEmpty()) {
            return "";
        }
        return counted.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(entry -> "%s %d".formatted(entry.getKey(), entry.getValue()))
                .collect(Collectors.joining(", ", ", counted ", ""));
    }

    private static void appendCountsByReason(StringBuilder text, Map<String, Long> counts, String indent)
    {
        List<Map.Entry<String, Long>> entries = counts.entrySet().stream().sorted(byCountThenName()).toList();
        int width = entries.stream().mapToInt(entry -> entry.getKey().length()).max().orElse(0);
        for (Map.Entry<String, Long> entry : entries) {
            text.append(String.format(Locale.ROOT, "%s%-" + width + "s  %d%n", indent, entry.getKey(), entry.getValue()));
        }
    }

    private static Comparator<Map.Entry<String, Long>> byCountThenName()
    {
        return Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey());
    }

    private static Optional<Duration> duration(Job job)
    {
        try {
            if (job.startedAt() == null || job.finishedAt() == null) {
                return Optional.empty();
            }
            return Optional.of(Duration.between(Instant.parse(job.startedAt()), Instant.parse(job.finishedAt())));
        }
        catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static String seconds(Duration duration)
    {
        return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }

    private static void line(StringBuilder text, String line)
    {
        text.append(line).append(System.lineSeparator());
    }

    private static void label(StringBuilder text, String label, String value)
    {
        text.append(String.format(Locale.ROOT, LABEL_FORMAT, label, value));
    }
}
