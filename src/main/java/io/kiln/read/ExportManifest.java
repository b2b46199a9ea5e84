package io.kiln.read;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What an export wrote, saved as {@code manifest.json} beside the shards and returned to the caller.
 * File paths are relative to the export directory, and nothing in it depends on time or place: the
 * same snapshot and options give the same manifest, byte for byte. {@code recipe} and
 * {@code contentDigest} are the snapshot summary's {@code kiln.recipe} and {@code kiln.content-digest}.
 */
@JsonPropertyOrder({"table", "snapshotId", "pin", "columns", "filter", "split", "format", "shardRows", "shardBytes", "rows", "files", "recipe", "contentDigest",
        "layout", "splitName", "card", "dimensions", "metadata"})
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record ExportManifest(String table, @JsonFormat(shape = JsonFormat.Shape.STRING) @Schema(type = SchemaType.STRING, format = "int64") long snapshotId, Optional<String> pin, List<String> columns, Optional<String> filter, Optional<SplitRule> split, String format,
        long shardRows, long shardBytes, long rows, List<ExportedFile> files, Optional<String> recipe, Optional<String> contentDigest,
        String layout, String splitName, String card, Map<String, Integer> dimensions, Map<String, String> metadata) {
    public static final String FILE_NAME = "manifest.json";
    /** {@code data/<split>-00000-of-0000N.<ext>} beside a dataset card: what Hugging Face's loaders read as is. */
    public static final String LAYOUT = "huggingface";

    public ExportManifest {
        requireNonNull(table, "table is null");
        requireNonNull(pin, "pin is null");
        columns = List.copyOf(columns);
        requireNonNull(filter, "filter is null");
        requireNonNull(split, "split is null");
        requireNonNull(format, "format is null");
        files = List.copyOf(files);
        requireNonNull(recipe, "recipe is null");
        requireNonNull(contentDigest, "contentDigest is null");
        requireNonNull(layout, "layout is null");
        requireNonNull(splitName, "splitName is null");
        requireNonNull(card, "card is null");
        dimensions = Collections.unmodifiableMap(new TreeMap<>(dimensions));
        metadata = Collections.unmodifiableMap(new TreeMap<>(metadata));
    }

    /** Every file of the export, by its path in the export directory: the shards, the card and the manifest. */
    public List<String> paths() {
        List<String> paths = new java.util.ArrayList<>(files.stream().map(ExportedFile::path).toList());
        paths.add(card);
        paths.add(FILE_NAME);
        return paths;
    }

    /** One shard: its name in the export directory, rows, size and sha256 (hex). */
    @JsonPropertyOrder({"path", "rows", "bytes", "sha256"})
    public record ExportedFile(String path, long rows, long bytes, String sha256) {
        public ExportedFile {
            requireNonNull(path, "path is null");
            requireNonNull(sha256, "sha256 is null");
        }
    }
}
