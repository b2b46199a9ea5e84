package io.kiln.cli;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(
        name = "export",
        description = {
                "Export a pinned snapshot as Parquet, JSONL or Arrow IPC shards with a manifest (rows, sha256 per file).",
                "The service writes the files, so OUT must be a new or empty directory inside its export roots (kiln.export-roots).",
        })
final class ExportCommand
        implements Callable<Integer>
{
    /** Exports take as long as the snapshot is big; only connecting is bounded. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    @ParentCommand
    Kiln kiln;

    @Parameters(index = "0", paramLabel = "TABLE", description = "NAMESPACE.NAME, for example demo.docs.")
    String table;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target
    {
        @Option(names = "--snapshot", paramLabel = "ID", required = true, description = "The snapshot id to export.")
        Long snapshotId;

        @Option(names = "--pin", paramLabel = "NAME", required = true, description = "The pin (tag) to export.")
        String pin;
    }

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "parquet", description = "parquet (default), jsonl, arrow (Arrow IPC files) or webdataset (tar shards: key.png or key.jpg, key.txt, key.cls, key.json).")
    String format;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "The directory to write; a relative path is resolved here and sent as an absolute one.")
    Path out;

    @Option(names = "--columns", paramLabel = "A,B", split = ",", description = "Columns, in output order (default: all).")
    List<String> columns;

    @Option(names = "--filter", paramLabel = "EXPR", description = "Rows to keep, e.g. \"lang = 'en' and tokens >= 10\" (=, !=, <, <=, >, >=, in (...), not in (...), is null, is not null, starts_with).")
    String filter;

    @Option(names = "--split-fraction", paramLabel = "F", description = "Keep only the rows of a training split: those whose id's position (sha256 of seed:id) is below F, as a training config's split.fraction.")
    Double splitFraction;

    @Option(names = "--split-seed", paramLabel = "N", description = "The split's seed (default 0), as a training config's split.seed.")
    Long splitSeed;

    @Option(names = "--shard-rows", paramLabel = "N", description = "Rows per shard (service default 1000000).")
    Long shardRows;

    @Option(names = "--shard-bytes", paramLabel = "N", description = "About this many bytes per shard (service default 134217728).")
    Long shardBytes;

    @Option(names = "--json", description = "Print the manifest as JSON.")
    boolean json;

    @Override
    public Integer call()
            throws InterruptedException
    {
        KilnClient client = kiln.client();
        ObjectMapper mapper = KilnClient.newObjectMapper();
        ObjectNode body = mapper.createObjectNode();
        if (target.snapshotId != null) {
            body.put("snapshotId", target.snapshotId);
        }
        else {
            body.put("pin", target.pin);
        }
        if (columns != null) {
            columns.forEach(body.putArray("columns")::add);
        }
        if (filter != null) {
            body.put("filter", filter);
        }
        if (splitFraction != null || splitSeed != null) {
            ObjectNode split = body.putObject("split");
            if (splitFraction != null) {
                split.put("fraction", splitFraction);
            }
            if (splitSeed != null) {
                split.put("seed", splitSeed);
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

        JsonNode manifest = post(client.baseUrl(), "/v1/tables/" + KilnClient.pathSegment(table) + "/exports", mapper, body);
        if (json) {
            JsonOutput.print(manifest);
            return ExitCode.SUCCESS;
        }
        System.out.printf("Exported %,d rows of %s at snapshot %s%s to %s%n", manifest.path("rows").asLong(), table,
                manifest.path("snapshotId").asText(), manifest.has("pin") ? " (pin " + manifest.path("pin").asText() + ")" : "", directory);
        TextTable files = TextTable.withHeaders("FILE", "ROWS>", "BYTES>", "SHA256");
        for (JsonNode file : manifest.path("files")) {
            files.row(file.path("path").asText(), file.path("rows").asLong(), file.path("bytes").asLong(), file.path("sha256").asText());
        }
        System.out.print(files.render());
        System.out.printf("Manifest: %s%n", directory.resolve("manifest.json"));
        return ExitCode.SUCCESS;
    }

    private static JsonNode post(URI baseUrl, String path, ObjectMapper mapper, JsonNode body)
            throws InterruptedException
    {
        HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(mapper.writeValueAsBytes(body)))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
        }
        catch (IOException e) {
            String reason = e.getMessage() == null || e.getMessage().isBlank() ? "connection failed" : "connection failed: " + e.getMessage();
            throw new ServiceUnreachableException(baseUrl, e instanceof java.net.ConnectException ? "connection refused" : reason, e);
        }
        JsonNode answer;
        try {
            answer = mapper.readTree(response.body());
        }
        catch (IOException e) {
            answer = mapper.createObjectNode();
        }
        if (response.statusCode() / 100 != 2) {
            JsonNode error = answer.path("error");
            List<ServiceErrorException.Violation> violations = new ArrayList<>();
            error.path("violations").forEach(violation -> violations.add(
                    new ServiceErrorException.Violation(violation.path("field").asText(""), violation.path("message").asText(""))));
            throw new ServiceErrorException(response.statusCode(), error.path("code").asText("HTTP_" + response.statusCode()),
                    error.path("message").asText("POST " + path + " answered HTTP " + response.statusCode()), violations);
        }
        if (!answer.isObject() || !answer.has("files")) {
            throw new ServiceErrorException(response.statusCode(), "UNREADABLE_RESPONSE",
                    "POST " + path + " answered with a body this client cannot read: "
                            + new String(response.body(), 0, Math.min(300, response.body().length), java.nio.charset.StandardCharsets.UTF_8),
                    List.of());
        }
        return answer;
    }
}
