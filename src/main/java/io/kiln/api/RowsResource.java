package io.kiln.api;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import org.apache.arrow.memory.BufferAllocator;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

import io.kiln.api.auth.Roles;
import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.error.Violation;
import io.kiln.job.KilnMetrics;
import io.kiln.read.RowFormat;
import io.kiln.read.RowFormats;
import io.kiln.read.RowWriter;
import io.kiln.read.SnapshotReader;
import io.kiln.read.SnapshotScan;
import io.kiln.read.ShardRule;
import io.kiln.read.SplitRule;

/**
 * The rows of one snapshot for clients that do not speak Iceberg, streamed as JSONL or as an Arrow
 * IPC stream: the same read path as exports, batch by batch, so memory stays bounded. Everything
 * a client can get wrong is checked before the first byte is sent; the response header
 * {@code Kiln-Snapshot-Id} says which snapshot was read (useful when it was named by a pin).
 */
@Path("/v1/tables/{table}/snapshots/{snapshot}/rows")
@RolesAllowed(Roles.READER)
public class RowsResource {
    public static final String SNAPSHOT_HEADER = "Kiln-Snapshot-Id";

    @Inject
    KilnMetrics metrics;
    @Inject
    SnapshotReader reader;

    @GET
    @Produces({"application/x-ndjson", RowFormat.ARROW_STREAM_MEDIA_TYPE, "application/json"})
    @Operation(summary = "Stream a snapshot's rows (by snapshot id or pin) as JSONL or an Arrow IPC stream, in a stable order")
    public Response rows(
            @PathParam("table") String table,
            @Parameter(description = "a snapshot id, or a pin (tag) name") @PathParam("snapshot") String snapshot,
            @Parameter(description = "jsonl (default) or arrow (Arrow IPC stream); without it, Accept: application/vnd.apache.arrow.stream asks for arrow",
                    schema = @Schema(enumeration = {"jsonl", "arrow"})) @QueryParam("format") String format,
            @Parameter(description = "comma-separated columns, in output order; default all") @QueryParam("columns") String columns,
            @Parameter(description = "conditions joined by and: column = 'x', column in (1, 2), column is null, column starts_with 'a', ...") @QueryParam("filter") String filter,
            @Parameter(description = "at most this many rows") @QueryParam("limit") String limit,
            @Parameter(description = "keep only the rows of one side of a deterministic split: those whose position (sha256 of seed:key) is below this fraction, as a training config's split.fraction") @QueryParam("split.fraction") String splitFraction,
            @Parameter(description = "named splits and their fractions, in order, summing to 1: train:0.8,validation:0.1,test:0.1 (with split.name), as a training config's split.fractions") @QueryParam("split.fractions") String splitFractions,
            @Parameter(description = "with split.fractions: the split to read") @QueryParam("split.name") String splitName,
            @Parameter(description = "the column whose value groups rows into the same split (default: the row id), as a training config's split.by") @QueryParam("split.by") String splitBy,
            @Parameter(description = "the split's seed (default 0), as a training config's split.seed") @QueryParam("split.seed") String splitSeed,
            @Parameter(description = "with shards: keep only this part (0 to shards - 1) of the rows, by a hash of the id; the shards are disjoint and cover every row") @QueryParam("shard") String shard,
            @Parameter(description = "how many disjoint parts (1 to 65536) data-parallel readers share; needs shard") @QueryParam("shards") String shards,
            @HeaderParam(HttpHeaders.ACCEPT) String accept) {
        RowFormat rowFormat = format(format, accept);
        OptionalLong rowLimit = QueryParameters.wholeNumber("limit", limit, 0);
        Optional<SplitRule> split = split(splitFraction, splitFractions, splitName, splitBy, splitSeed);
        SnapshotReader.ResolvedSnapshot resolved = reader.resolve(table, snapshot);
        SnapshotScan scan = resolved.scan()
                .columns(columns(columns))
                .filter(Optional.ofNullable(filter).filter(text -> !text.isBlank()))
                .split(split)
                .shard(shard(shard, shards))
                .build();
        BufferAllocator allocator = reader.allocator();
        StreamingOutput body = output -> metrics.bytesOut("rows", rowFormat.formatName(), stream(scan, rowFormat, rowLimit, allocator, output));
        String mediaType = rowFormat == RowFormat.ARROW ? RowFormat.ARROW_STREAM_MEDIA_TYPE : rowFormat.mediaType();
        return Response.ok(body, mediaType).header(SNAPSHOT_HEADER, Long.toString(scan.snapshotId())).build();
    }

    /** Streams the rows; the bytes written. */
    private static long stream(SnapshotScan scan, RowFormat format, OptionalLong limit, BufferAllocator allocator, OutputStream output)
            throws IOException {
        try (SnapshotScan.Batches batches = scan.open(allocator, limit)) {
            RowWriter writer = RowFormats.streamWriter(format, batches.root(), output);
            while (batches.next()) {
                writer.write(batches.root());
            }
            writer.finish();
            return writer.bytes();
        }
    }

    /** {@code format} wins; without it, an Accept header that names the Arrow stream type asks for Arrow. */
    private static RowFormat format(String format, String accept) {
        if (format == null || format.isBlank()) {
            return accept != null && accept.contains(RowFormat.ARROW_STREAM_MEDIA_TYPE) ? RowFormat.ARROW : RowFormat.JSONL;
        }
        return RowFormat.fromName(format).filter(candidate -> candidate == RowFormat.JSONL || candidate == RowFormat.ARROW)
                .orElseThrow(() -> new KilnException(ErrorCode.INVALID_REQUEST, "format must be jsonl or arrow, was '" + format + "'"
                        + (format.equalsIgnoreCase("parquet") || format.equalsIgnoreCase("webdataset")
                                ? "; " + (format.equalsIgnoreCase("parquet") ? "Parquet" : "WebDataset") + " cannot stream: export it (POST /v1/tables/{table}/exports)"
                                : ""),
                        List.of(new Violation("format", "must be jsonl or arrow"))));
    }

    private static Optional<ShardRule> shard(String shard, String shards) {
        if (shard == null && shards == null) {
            return Optional.empty();
        }
        if (shard == null || shards == null) {
            String missing = shard == null ? "shard" : "shards";
            throw new KilnException(ErrorCode.INVALID_REQUEST, "shard and shards go together", List.of(new Violation(missing, "is required with "
                    + (shard == null ? "shards" : "shard"))));
        }
        long count = QueryParameters.wholeNumber("shards", shards, 1).getAsLong();
        long index = QueryParameters.wholeNumber("shard", shard, 0).getAsLong();
        if (count > ShardRule.MAX_COUNT) {
            throw new KilnException(ErrorCode.INVALID_REQUEST, "shards must be at most " + ShardRule.MAX_COUNT,
                    List.of(new Violation("shards", "must be at most " + ShardRule.MAX_COUNT + ", was " + count)));
        }
        if (index >= count) {
            throw new KilnException(ErrorCode.INVALID_REQUEST, "shard must be below shards",
                    List.of(new Violation("shard", "must be below shards (" + count + "), was " + index)));
        }
        return Optional.of(new ShardRule((int) index, (int) count));
    }

    private static Optional<SplitRule> split(String fraction, String fractions, String name, String by, String seed) {
        if (fraction == null && fractions == null) {
            if (seed != null || name != null || by != null) {
                throw new KilnException(ErrorCode.INVALID_REQUEST, "A split needs split.fractions (or split.fraction)",
                        List.of(new Violation("split.fractions", "is required with split.name, split.by or split.seed")));
            }
            return Optional.empty();
        }
        List<Violation> violations = new ArrayList<>();
        Optional<Double> fractionValue = Optional.empty();
        if (fraction != null) {
            fractionValue = Optional.of(number("split.fraction", fraction, violations));
        }
        Optional<Map<String, Double>> named = Optional.empty();
        if (fractions != null) {
            Map<String, Double> parsed = new LinkedHashMap<>();
            for (String part : fractions.split(",", -1)) {
                int colon = part.indexOf(':');
                String splitName = colon < 0 ? part.strip() : part.substring(0, colon).strip();
                if (colon < 0 || parsed.put(splitName, number("split.fractions", part.substring(colon + 1), violations)) != null) {
                    violations.add(new Violation("split.fractions", "must be name:fraction pairs, each name once, such as train:0.8,validation:0.1,test:0.1; was '" + fractions + "'"));
                    break;
                }
            }
            named = Optional.of(parsed);
        }
        long seedValue = 0;
        if (seed != null) {
            try {
                seedValue = Long.parseLong(seed.strip());
            }
            catch (NumberFormatException e) {
                violations.add(new Violation("split.seed", "must be a whole number, was '" + seed + "'"));
            }
        }
        Optional<SplitRule> rule = violations.isEmpty()
                ? SplitRule.of("split.", Optional.ofNullable(name).map(String::strip), fractionValue, named, seedValue, Optional.ofNullable(by).map(String::strip), violations)
                : Optional.empty();
        if (!violations.isEmpty()) {
            throw new KilnException(ErrorCode.INVALID_REQUEST, "The split is invalid", violations);
        }
        return rule;
    }

    private static double number(String field, String text, List<Violation> violations) {
        try {
            return Double.parseDouble(text.strip());
        }
        catch (NumberFormatException e) {
            violations.add(new Violation(field, "must be a number, was '" + text + "'"));
            return Double.NaN;
        }
    }

    private static Optional<List<String>> columns(String columns) {
        if (columns == null) {
            return Optional.empty();
        }
        return Optional.of(Arrays.stream(columns.split(",", -1)).map(String::strip).toList());
    }
}
