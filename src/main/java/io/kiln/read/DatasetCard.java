package io.kiln.read;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The dataset card ({@code README.md}) of an export, as the Hugging Face Hub and {@code datasets}
 * read it: a YAML header whose {@code configs} point each split at its shards, then what the rows
 * are: the snapshot, recipe, digests, counts, checks and lineage. Nothing in it depends on time or
 * place, so the same export gives the same card.
 */
public final class DatasetCard {
    public static final String FILE_NAME = "README.md";

    private DatasetCard() {}

    public static String render(ExportManifest manifest, Lineage.SnapshotLineage lineage, long snapshotRows) {
        StringBuilder card = new StringBuilder();
        card.append("---\n")
                .append("configs:\n")
                .append("- config_name: default\n")
                .append("  data_files:\n")
                .append("  - split: ").append(manifest.splitName()).append('\n')
                .append("    path: \"").append(Exporter.DATA_DIRECTORY).append('/').append(manifest.splitName()).append("-*\"\n")
                .append("tags:\n")
                .append("- kiln\n")
                .append("---\n\n");
        card.append("# ").append(manifest.table()).append(" at snapshot ").append(manifest.snapshotId()).append("\n\n");
        card.append("Exported by Kiln from the Iceberg table `").append(manifest.table()).append("` at snapshot `").append(manifest.snapshotId())
                .append('`').append(manifest.pin().map(pin -> " (pin `" + pin + "`)").orElse(""))
                .append(". Every ").append(manifest.format()).append(" file's schema metadata")
                .append(manifest.format().equals("parquet") || manifest.format().equals("arrow") ? "" : " (Parquet and Arrow only; here, `manifest.json`)")
                .append(" carries the snapshot id, recipe, digests and models; `manifest.json` lists each file's rows, bytes and sha256.\n\n");
        card.append("| | |\n|---|---|\n");
        row(card, "table", code(manifest.table()));
        row(card, "snapshot", code(Long.toString(manifest.snapshotId())));
        manifest.pin().ifPresent(pin -> row(card, "pin", code(pin)));
        if (lineage.jobId() != null) {
            row(card, "job", code(lineage.jobId()));
        }
        manifest.recipe().ifPresent(recipe -> row(card, "recipe", code(recipe)));
        manifest.contentDigest().ifPresent(digest -> row(card, "content digest (the snapshot's batch)", code(digest)));
        if (lineage.tableContentDigest() != null) {
            row(card, "table content digest (every row on main)", code(lineage.tableContentDigest()));
        }
        row(card, "rows", String.format(Locale.ROOT, "%,d exported of %,d in the snapshot", manifest.rows(), snapshotRows));
        row(card, "columns", String.join(", ", manifest.columns().stream().map(column -> manifest.dimensions().containsKey(column)
                ? code(column) + " (vector of " + manifest.dimensions().get(column) + " float32)"
                : code(column)).toList()));
        manifest.filter().ifPresent(filter -> row(card, "filter", code(filter)));
        manifest.split().ifPresent(split -> row(card, "split", String.format(Locale.ROOT, "`%s`: the ids whose sha256(\"%d:<id>\") falls below %s",
                manifest.splitName(), split.seed(), split.fraction())));
        row(card, "files", String.format(Locale.ROOT, "%d %s file%s", manifest.files().size(), manifest.format(), manifest.files().size() == 1 ? "" : "s"));
        manifest.metadata().forEach((key, value) -> {
            if (key.endsWith("-model") || key.endsWith(".model")) {
                row(card, key, code(value));
            }
        });
        card.append('\n');

        card.append("## Checks\n\n");
        if (lineage.checksOutcome() == null) {
            card.append("No checks ran on this snapshot.\n\n");
        }
        else {
            card.append("Outcome **").append(lineage.checksOutcome()).append("** (suite `").append(lineage.checksSuite()).append("`).\n\n");
            List<Map<?, ?>> results = maps(lineage.checks());
            if (!results.isEmpty()) {
                card.append("| rule | outcome | message |\n|---|---|---|\n");
                for (Map<?, ?> result : results) {
                    card.append("| ").append(cell(result.get("rule"))).append(" | ").append(cell(result.get("outcome"))).append(" | ")
                            .append(cell(result.get("message"))).append(" |\n");
                }
                card.append('\n');
            }
        }

        card.append("## Lineage\n\n");
        card.append(String.format(Locale.ROOT, "The job wrote %,d rows and rejected %,d", lineage.rowsWritten(), lineage.rejects().count()));
        card.append(lineage.rejects().count() > 0 ? " (kept with their reasons in `" + lineage.rejects().table() + "`)" : "").append(".");
        if (lineage.inputDigest() != null) {
            card.append(" Input digest `").append(lineage.inputDigest()).append("`.");
        }
        card.append('\n');
        List<Map<?, ?>> inputs = maps(lineage.inputs());
        if (!inputs.isEmpty()) {
            card.append("\n| input | sha256 |\n|---|---|\n");
            for (Map<?, ?> input : inputs) {
                card.append("| ").append(cell(input.get("uri"))).append(" | ").append(cell(input.get("sha256"))).append(" |\n");
            }
        }
        else if (lineage.inputManifestFile() != null) {
            card.append("\nThe inputs are listed in `").append(lineage.inputManifestFile()).append("`.\n");
        }
        card.append('\n');

        card.append("## Load\n\n```python\nfrom datasets import load_dataset\n\n")
                .append("dataset = load_dataset(\"").append(loader(manifest.format())).append("\", data_files={\"").append(manifest.splitName())
                .append("\": \"").append(Exporter.DATA_DIRECTORY).append('/').append(manifest.splitName()).append("-*.")
                .append(manifest.files().isEmpty() ? "parquet" : extension(manifest.files().get(0).path())).append("\"})\n```\n\n")
                .append("Run it in this directory, or give `data_dir=` the directory. Check the files first with `sha256sum` against `manifest.json`.\n");
        return card.toString();
    }

    private static String loader(String format) {
        return switch (format) {
            case "jsonl" -> "json";
            case "webdataset" -> "webdataset";
            default -> format;
        };
    }

    private static String extension(String path) {
        return path.substring(path.lastIndexOf('.') + 1);
    }

    private static List<Map<?, ?>> maps(Object value) {
        List<Map<?, ?>> maps = new ArrayList<>();
        if (value instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Map<?, ?> map) {
                    maps.add(map);
                }
            }
        }
        return maps;
    }

    private static void row(StringBuilder card, String name, String value) {
        card.append("| ").append(name).append(" | ").append(value).append(" |\n");
    }

    private static String code(String value) {
        return "`" + value.replace("`", "'").replace("|", "\\|").replace("\n", " ") + "`";
    }

    private static String cell(Object value) {
        return value == null ? "" : value.toString().replace("|", "\\|").replace("\n", " ");
    }
}
