package io.kiln.read;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.lake.DedupSegments;

/**
 * The fitted state of a snapshot's feature steps ({@code impute}, {@code scale}): each step's JSON
 * artifact (means and standard deviations per group, fill values), where it is kept and its sha256, as
 * the job that wrote the snapshot (or its nearest ancestor with feature steps) fitted them. What a
 * serving system loads to transform new records exactly as the training rows were.
 */
public final class FeaturesReport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FEATURES = DedupSegments.SEGMENT_PREFIX + "features-";

    private FeaturesReport() {}

    public record Feature(String name, String location, String sha256, @Schema(type = SchemaType.OBJECT) JsonNode state) {}

    public record Report(String table, @JsonFormat(shape = JsonFormat.Shape.STRING) @Schema(type = SchemaType.STRING, format = "int64") long snapshotId,
            @JsonFormat(shape = JsonFormat.Shape.STRING) @Schema(type = SchemaType.STRING, format = "int64") long fittedBy, List<Feature> features) {}

    public static Report of(String name, Table table, long snapshotId) {
        if (table.snapshot(snapshotId) == null) {
            throw new KilnException(ErrorCode.SNAPSHOT_NOT_FOUND, "Table " + name + " has no snapshot " + snapshotId);
        }
        for (Snapshot at : org.apache.iceberg.util.SnapshotUtil.ancestorsOf(snapshotId, table::snapshot)) {
            List<Feature> features = new ArrayList<>();
            for (Map.Entry<String, String> entry : new java.util.TreeMap<>(at.summary()).entrySet()) {
                if (!entry.getKey().startsWith(FEATURES)) {
                    continue;
                }
                String state = entry.getKey().substring(DedupSegments.SEGMENT_PREFIX.length());
                try (InputStream in = table.io().newInputFile(entry.getValue()).newStream()) {
                    features.add(new Feature(state, entry.getValue(), at.summary().get(DedupSegments.STATE_SHA256_PREFIX + state), JSON.readTree(in)));
                }
                catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            if (!features.isEmpty()) {
                return new Report(name, snapshotId, at.snapshotId(), features);
            }
        }
        throw new KilnException(ErrorCode.SNAPSHOT_NOT_FOUND, "Snapshot " + snapshotId + " of " + name + " and its ancestors have no fitted feature steps (impute, scale)");
    }
}
