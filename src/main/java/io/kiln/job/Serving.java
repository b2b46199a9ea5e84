package io.kiln.job;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.error.Violation;
import io.kiln.source.JsonRecords;
import io.kiln.source.RecordSchema;
import io.kiln.source.SourceRecord;
import io.kiln.transform.BatchTransform;
import io.kiln.transform.Column;
import io.kiln.transform.DataType;
import io.kiln.transform.FittedStep;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.Transform;
import io.kiln.transform.Values;

/**
 * The serving path of a published snapshot: its recipe's steps, with the fitted state the snapshot
 * holds ({@code fitFrom} the snapshot itself), applied to records sent in a request, so that a model
 * server transforms new records exactly as the rows Kiln wrote. Records are JSON objects with the
 * source's declared columns by name and an {@code id}. Steps that decide over a whole job (dedup,
 * labels, anonymization) cannot serve one record at a time and are refused.
 */
final class Serving {
    /** The feature steps whose state the snapshot holds and which serve one record at a time. */
    private static final Set<String> FITTED_FEATURES = Set.of("scale", "impute", "encode", "bucketize", "clip");
    public static final int MAX_RECORDS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Serving() {}

    /** One record's outcome: its rows' values, or why it was dropped. */
    record Served(String id, String outcome, List<Map<String, Object>> rows, String reason, String detail) {}

    static List<Served> serve(Catalog catalog, JobBinder binder, String name, long snapshotId, JsonNode records) {
        if (records == null || !records.isArray() || records.isEmpty() || records.size() > MAX_RECORDS) {
            throw new KilnException(ErrorCode.INVALID_REQUEST, "The records are invalid", List.of(new Violation("records",
                    "must be a non-empty array of at most " + MAX_RECORDS + " JSON objects, each with an id and the source's columns")));
        }
        TableIdentifier identifier = TableIdentifier.parse(name);
        Table table = catalog.loadTable(identifier);
        Snapshot snapshot = io.kiln.lake.Pins.requirePublished(table, snapshotId);
        JsonNode recipe;
        try {
            recipe = JSON.readTree(Optional.ofNullable(snapshot.summary().get("kiln.recipe-spec")).orElseThrow(() -> new KilnException(ErrorCode.INVALID_REQUEST,
                    "Snapshot " + snapshotId + " of " + name + " records no recipe to serve")));
        }
        catch (java.io.IOException e) {
            throw new KilnException(ErrorCode.INVALID_REQUEST, "Snapshot " + snapshotId + " of " + name + " has a recipe that is not JSON");
        }
        List<RecordSchema.Field> fields = new ArrayList<>();
        List<JsonNode> sourceColumns = new ArrayList<>();
        recipe.path("source").path("schema").path("columns").forEach(sourceColumns::add);
        // a joined snapshot's rows had the lookups' columns too: the serving call's records carry them
        recipe.path("source").path("join").forEach(join -> join.path("columns").forEach(sourceColumns::add));
        for (JsonNode column : sourceColumns) {
            fields.add(new RecordSchema.Field(new Column(column.path("name").asText(), DataType.parse(column.path("type").asText()), false, ""),
                    column.path("name").asText()));
        }
        if (fields.isEmpty()) {
            throw new KilnException(ErrorCode.INVALID_REQUEST, "Snapshot " + snapshotId + " of " + name + " was read from an untyped source; the serving call needs typed columns");
        }
        RecordSchema schema = new RecordSchema(fields, new RecordSchema.FromField("id"), RecordSchema.UnknownFields.REJECT);
        List<Map<String, Object>> steps = new ArrayList<>();
        for (JsonNode step : recipe.path("steps")) {
            Map<String, Object> params = JSON.convertValue(step.path("params"), Map.class);
            params = params == null ? new LinkedHashMap<>() : new LinkedHashMap<>(params);
            String stepName = step.path("step").asText().replaceAll("@.*", "");
            if (FITTED_FEATURES.contains(stepName)) {
                params.put("fitFrom", Long.toString(snapshotId));
            }
            Map<String, Object> bound = new LinkedHashMap<>();
            bound.put("step", step.path("step").asText());
            bound.put("params", params);
            steps.add(bound);
        }
        List<Transform> chain = binder.bindServing(identifier, steps, fields.stream().map(RecordSchema.Field::column).toList());
        List<FittedStep.Fit> fits = new ArrayList<>();
        for (Transform transform : chain) {
            if (transform instanceof FittedStep fitted) {
                if (!FITTED_FEATURES.contains(transform.id().name())) {
                    throw new KilnException(ErrorCode.INVALID_REQUEST, "Snapshot " + snapshotId + " of " + name + " was made with " + transform.id()
                            + ", which decides over a whole job; the serving call cannot apply it to single records");
                }
                FittedStep.Fit fit = fitted.newFit();
                fit.fit();
                fits.add(fit);
            }
            else {
                fits.add(null);
            }
        }
        List<Served> served = new ArrayList<>();
        JsonRecords parser = new JsonRecords(schema);
        for (int i = 0; i < records.size(); i++) {
            SourceRecord parsed = parser.parse(records.get(i).toString().getBytes(StandardCharsets.UTF_8), Integer.toString(i));
            if (parsed instanceof SourceRecord.Malformed malformed) {
                served.add(new Served(records.get(i).path("id").asText(null), "rejected", List.of(), malformed.reason(), malformed.detail()));
                continue;
            }
            List<Row> rows = List.of(((SourceRecord.Parsed) parsed).row());
            Outcome.Drop dropped = null;
            for (int s = 0; s < chain.size() && dropped == null; s++) {
                List<Row> next = new ArrayList<>();
                for (Row row : rows) {
                    Transform transform = chain.get(s);
                    Outcome outcome = fits.get(s) != null ? fits.get(s).apply(0, row)
                            : transform instanceof BatchTransform batch ? batch.applyAll(List.of(row)).get(0) : transform.apply(row);
                    if (outcome instanceof Outcome.Drop drop) {
                        dropped = drop;
                        break;
                    }
                    next.addAll(((Outcome.Emit) outcome).rows());
                }
                rows = next;
            }
            String id = ((SourceRecord.Parsed) parsed).row().id();
            if (dropped != null) {
                served.add(new Served(id, "rejected", List.of(), dropped.by() + "/" + dropped.reason(), dropped.detail()));
            }
            else {
                List<Map<String, Object>> values = new ArrayList<>();
                for (Row row : rows) {
                    Map<String, Object> columns = new LinkedHashMap<>();
                    columns.put("id", row.id());
                    new java.util.TreeMap<>(row.columns()).forEach((column, value) -> columns.put(column, value instanceof java.nio.ByteBuffer bytes
                            ? "sha256:" + Values.sha256(bytes) : value));
                    values.add(columns);
                }
                served.add(new Served(id, "written", values, null, null));
            }
        }
        return served;
    }
}
