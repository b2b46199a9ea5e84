package io.kiln.read;

import java.util.Map;
import java.util.TreeMap;

import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;

/**
 * What the {@code label} step measured on the batch it labelled, at or before a snapshot: the
 * functions and the model, and each function's coverage, overlap, conflict and accuracy, the model's
 * coverage, precision, recall and F1 per label, and its confusion matrix against the gold labels.
 */
public final class LabelReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LabelReport() {}

    /**
     * @param labelledBy the snapshot whose job labelled (the snapshot asked for, or its nearest ancestor with a label step)
     * @param summary the {@code kiln.label.*} entries of that snapshot, without the prefix, but the evaluation
     * @param evaluation per function and for the model
     */
    public record Report(String table, @JsonFormat(shape = JsonFormat.Shape.STRING) @Schema(type = SchemaType.STRING, format = "int64") long snapshotId,
            @JsonFormat(shape = JsonFormat.Shape.STRING) @Schema(type = SchemaType.STRING, format = "int64") long labelledBy,
            Map<String, String> summary, @Schema(type = SchemaType.OBJECT) JsonNode evaluation) {
        public Report {
            summary = Map.copyOf(summary);
        }
    }

    public static Report of(String name, Table table, long snapshotId) {
        Snapshot snapshot = table.snapshot(snapshotId);
        if (snapshot == null) {
            throw new KilnException(ErrorCode.SNAPSHOT_NOT_FOUND, "Table " + name + " has no snapshot " + snapshotId);
        }
        for (Snapshot at : org.apache.iceberg.util.SnapshotUtil.ancestorsOf(snapshotId, table::snapshot)) {
            String evaluation = at.summary().get("kiln.label.evaluation");
            if (evaluation == null) {
                continue;
            }
            Map<String, String> summary = new TreeMap<>();
            at.summary().forEach((key, value) -> {
                if (key.startsWith("kiln.label.") && !key.equals("kiln.label.evaluation")) {
                    summary.put(key.substring("kiln.label.".length()), value);
                }
            });
            try {
                return new Report(name, snapshotId, at.snapshotId(), summary, JSON.readTree(evaluation));
            }
            catch (JsonProcessingException e) {
                throw new KilnException(ErrorCode.INTERNAL_ERROR, "Snapshot " + at.snapshotId() + " of " + name + " holds a label evaluation that is not JSON");
            }
        }
        throw new KilnException(ErrorCode.INVALID_REQUEST, "No label step ran at or before snapshot " + snapshotId + " of " + name);
    }
}
