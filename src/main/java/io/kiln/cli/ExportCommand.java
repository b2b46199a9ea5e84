package io.kiln.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
        name = "export",
        description = {
                "Export a pinned snapshot in Hugging Face's layout: data/<split>-00000-of-0000N.<ext> shards (Parquet, JSONL, Arrow IPC or",
                "WebDataset tar), a dataset card README.md and manifest.json (rows, bytes, sha256 per file). Name the snapshot and the rows",
                "with TABLE and options, or with --config, a training config (the one kiln resolve reads). The service writes the files,",
                "so OUT must be a new or empty directory inside its export roots (kiln.export-roots); the command follows the export",
                "until it ends. kiln download copies a finished export to this machine.",
        })
final class ExportCommand
        implements Callable<Integer>
{
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @ParentCommand
    Kiln kiln;

    @Parameters(index = "0", arity = "0..1", paramLabel = "TABLE", description = "NAMESPACE.NAME, for example demo.docs (not with --config).")
    String table;

    @Option(names = "--config", paramLabel = "FILE", description = "A training config (YAML or JSON: table, pin or snapshot, columns, filter, split), as for kiln resolve.")
    Path config;

    @Option(names = "--snapshot", paramLabel = "ID", description = "The snapshot id to export.")
    Long snapshotId;

    @Option(names = "--pin", paramLabel = "NAME", description = "The pin (tag) to export.")
    String pin;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "parquet", description = "parquet (default), jsonl, arrow (Arrow IPC files) or webdataset (tar shards: key.png or key.jpg, key.txt, key.cls, key.json).")
    String format;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "The directory to write; a relative path is resolved here and sent as an absolute one.")
    Path out;

    @Option(names = "--columns", paramLabel = "A,B", split = ",", description = "Columns, in output order (default: all).")
    List<String> columns;

    @Option(names = "--filter", paramLabel = "EXPR", description = "Rows to keep, e.g. \"lang = 'en' and tokens >= 10\" (=, !=, <, <=, >, >=, in (...), not in (...), is null, is not null, starts_with).")
    String filter;

    @Option(names = "--split-name", paramLabel = "NAME", description = "The split's name, which names the shards (default train).")
    String splitName;

    @Option(names = "--split-fraction", paramLabel = "F", description = "Keep only the rows of a training split: those whose id's position (sha256 of seed:id) is below F, as a training config's split.fraction.")
    Double splitFraction;

    @Option(names = "--split-fractions", paramLabel = "NAME=F", split = ",", description = "Named splits and their fractions, in order, summing to 1, e.g. train=0.8,validation=0.1,test=0.1; --split-name picks one.")
    java.util.LinkedHashMap<String, Double> splitFractions;

    @Option(names = "--split-by", paramLabel = "COLUMN", description = "The column that groups rows into the same split (default: the row id), as a training config's split.by.")
    String splitBy;

    @Option(names = "--split-seed", paramLabel = "N", description = "The split's seed (default 0), as a training config's split.seed.")
    Long splitSeed;

    @Option(names = "--shard-rows", paramLabel = "N", description = "Rows per shard (service default 1000000).")
    Long shardRows;

    @Option(names = "--shard-bytes", paramLabel = "N", description = "About this many bytes per shard (service default 134217728).")
    Long shardBytes;

    @Option(names = "--idempotency-key", paramLabel = "KEY", description = "Sent so that a retry never starts a second export (default: a new random key, reused by this command's own retries).")
    String idempotencyKey;

    @Option(names = "--no-follow", description = "Print the export's id and return at once; follow it with GET /v1/exports/{id}.")
    boolean noFollow;

    @Option(names = "--json", description = "Print the export (with its manifest) as JSON.")
    boolean json;

    @Override
    public Integer call()
            throws IOException
    {
        KilnClient client = kiln.client();
        ObjectMapper mapper = KilnClient.newObjectMapper();
        ObjectNode body = mapper.createObjectNode();
        String exportTable = table;
        if (config != null) {
            if (table != null || snapshotId != null || pin != null || columns != null || filter != null || splitFraction != null || splitSeed != null || splitName != null) {
                throw new UsageFailureException("--config names the table, snapshot, columns, filter and split; give them there, not as options too");
            }
            JsonNode training = YAML.readTree(Files.readString(config));
            if (!training.isObject() || !training.path("table").isTextual()) {
                throw new UsageFailureException("the training config " + config + " must be an object with a table");
            }
            exportTable = training.path("table").asText();
            if (training.hasNonNull("snapshot")) {
                body.put("snapshotId", training.path("snapshot").asText());
            }
            if (training.hasNonNull("pin")) {
                body.put("pin", training.path("pin").asText());
            }
            for (String field : List.of("columns", "filter", "split")) {
                if (training.hasNonNull(field)) {
                    body.set(field, training.get(field));
                }
            }
        }
        else {
            if (table == null || (snapshotId == null) == (pin == null)) {
                throw new UsageFailureException("give TABLE and one of --snapshot and --pin, or --config");
            }
            if (snapshotId != null) {
                body.put("snapshotId", Long.toString(snapshotId));
            }
            else {
                body.put("pin", pin);
            }
            if (columns != null) {
                columns.forEach(body.putArray("columns")::add);
            }
            if (filter != null) {
                body.put("filter", filter);
            }
            if (splitFraction != null || splitFractions != null || splitSeed != null || splitName != null || splitBy != null) {
                ObjectNode split = body.putObject("split");
                if (splitName != null) {
                    split.put("name", splitName);
                }
                if (splitFractions != null) {
                    ObjectNode fractions = split.putObject("fractions");
                    splitFractions.forEach(fractions::put);
                }
                else {
                    split.put("fraction", splitFraction == null ? 1.0 : splitFraction);
                }
                if (splitBy != null) {
                    split.put("by", splitBy);
                }
                if (splitSeed != null) {
                    split.put("seed", splitSeed);
                }
            }
        }
        body.put("format", format);
        if (shardRows != null) {
            body.put("shardRows", shardRows);
        }
        if (shardBytes != null) {
            body.put("shardBytes", shardBytes);
        }
        Path directory = out.toAbsolutePath().normalize();
        body.put("directory", directory.toString());

        JsonNode accepted = client.postOnce("/v1/tables/" + KilnClient.pathSegment(exportTable) + "/exports", mapper.writeValueAsBytes(body),
                Optional.ofNullable(idempotencyKey), "export", JsonNode.class);
        String id = accepted.path("id").asText();
        if (noFollow) {
            System.out.println(json ? accepted.toPrettyString() : id);
            return ExitCode.SUCCESS;
        }
        boolean terminal = System.console() != null;
        JsonNode export = client.follow("/v1/exports/" + KilnClient.pathSegment(id), progress -> {
            if (terminal && progress.path("state").asText().equals("RUNNING")) {
                System.err.printf("\r%s RUNNING: %,d rows written", id, progress.path("rowsWritten").asLong());
            }
        });
        if (terminal) {
            System.err.println();
        }
        if (json) {
            JsonOutput.print(export);
            return export.path("state").asText().equals("SUCCEEDED") ? ExitCode.SUCCESS : ExitCode.NOT_PUBLISHED;
        }
        if (!export.path("state").asText().equals("SUCCEEDED")) {
            System.err.printf("kiln: export %s FAILED: %s (%s)%n", id, export.path("error").path("message").asText(), export.path("error").path("code").asText());
            return ExitCode.NOT_PUBLISHED;
        }
        JsonNode manifest = export.path("manifest");
        System.out.printf("Exported %,d rows of %s at snapshot %s%s to %s (export %s)%n", manifest.path("rows").asLong(), exportTable,
                manifest.path("snapshotId").asText(), manifest.has("pin") ? " (pin " + manifest.path("pin").asText() + ")" : "", directory, id);
        TextTable files = TextTable.withHeaders("FILE", "ROWS>", "BYTES>", "SHA256");
        for (JsonNode file : manifest.path("files")) {
            files.row(file.path("path").asText(), file.path("rows").asLong(), file.path("bytes").asLong(), file.path("sha256").asText());
        }
        System.out.print(files.render());
        System.out.printf("Manifest: %s; dataset card: %s%n", directory.resolve("manifest.json"), directory.resolve(manifest.path("card").asText("README.md")));
        System.out.printf("On another machine: kiln download %s --out DIR%n", id);
        return ExitCode.SUCCESS;
    }
}
