package io.kiln.read;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;

import com.fasterxml.jackson.annotation.JsonFormat;

import io.kiln.contamination.ContaminationScan;
import io.kiln.contamination.EvalSet;
import io.kiln.contamination.EvalSets;
import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.error.Violation;
import io.kiln.lake.Pins;
import io.kiln.transform.StepContext;

/**
 * How a published snapshot overlaps an eval set, for manual inspection and for reporting
 * evaluations on the clean items: the dirty eval items (whose n-grams the snapshot's rows share,
 * each with how many rows and the first of them) and the clean ones, and, when both tables have
 * vectors of the same model, each eval item's most similar rows with their exact cosine similarity.
 */
public final class ContaminationReport {
    public static final int MAX_NEIGHBOURS = 100;

    private ContaminationReport() {}

    /** What was asked: the eval set ({@code <table>@<pin or snapshot id>}), the columns, n-gram settings and neighbours per item. */
    public record Request(String evalSet, String column, String evalColumn, Optional<String> vectorColumn, int n, int frequencyCap, int neighbours) {}

    public record EvalSetInfo(String table, @JsonFormat(shape = JsonFormat.Shape.STRING) @org.eclipse.microprofile.openapi.annotations.media.Schema(type = SchemaType.STRING, format = "int64") long snapshotId,
            int items, int n, int frequencyCap, String rule, Optional<String> embeddingModel) {}

    /**
     * {@code sharedSources}: the source files that contributed rows to both the snapshot and the eval
     * set (lineage leakage: the same file on both sides of an evaluation).
     */
    public record Report(String table, @JsonFormat(shape = JsonFormat.Shape.STRING) @org.eclipse.microprofile.openapi.annotations.media.Schema(type = SchemaType.STRING, format = "int64") long snapshotId,
            EvalSetInfo evalSet, long rows, double dirtyRate, List<String> dirty, List<String> clean, List<ContaminationScan.Item> items, List<String> sharedSources) {}

    /** {@code tables}: loads a table by name (404 TABLE_NOT_FOUND when there is none). */
    public static Report of(String name, Table table, long snapshotId, java.util.function.Function<String, Table> tables, Request request) {
        Snapshot snapshot = Pins.requirePublished(table, snapshotId);
        Schema schema = table.schemas().get(snapshot.schemaId());
        List<Violation> violations = new ArrayList<>();
        int at = request.evalSet().lastIndexOf('@');
        if (at <= 0 || at == request.evalSet().length() - 1) {
            throw new KilnException(ErrorCode.INVALID_REQUEST, "The eval set is invalid", List.of(new Violation("eval", "must be <table>@<pin or snapshot id>, such as evals.qa@v1")));
        }
        String evalName = request.evalSet().substring(0, at);
        String reference = request.evalSet().substring(at + 1);
        Table evalTable = tables.apply(evalName);
        long evalSnapshotId = Pins.snapshotOf(evalTable, reference)
                .orElseThrow(() -> new KilnException(ErrorCode.PIN_NOT_FOUND, "Table " + evalName + " has no pin '" + reference + "'"));
        Snapshot evalSnapshot = Pins.requirePublished(evalTable, evalSnapshotId);
        Schema evalSchema = evalTable.schemas().get(evalSnapshot.schemaId());
        if (schema.findField(request.column()) == null) {
            violations.add(new Violation("column", "snapshot " + snapshotId + " of " + name + " has no column '" + request.column() + "'"));
        }
        if (evalSchema.findField(request.evalColumn()) == null) {
            violations.add(new Violation("evalColumn", "snapshot " + evalSnapshotId + " of " + evalName + " has no column '" + request.evalColumn() + "'"));
        }
        Optional<String> model = Optional.empty();
        if (request.vectorColumn().isPresent()) {
            String vectors = request.vectorColumn().get();
            if (schema.findField(vectors) == null || evalSchema.findField(vectors) == null) {
                violations.add(new Violation("vectorColumn", "both " + name + " and " + evalName + " need the vector column '" + vectors + "'"));
            }
            model = Optional.ofNullable(snapshot.summary().get("kiln.embedding-model"));
            if (model.isEmpty() || !model.get().equals(evalSnapshot.summary().get("kiln.embedding-model"))) {
                violations.add(new Violation("vectorColumn", "the vectors were made by " + model.orElse("no recorded model") + " and "
                        + evalSnapshot.summary().getOrDefault("kiln.embedding-model", "no recorded model") + ": similarities between two models mean nothing"));
            }
        }
        if (!violations.isEmpty()) {
            throw new KilnException(ErrorCode.INVALID_REQUEST, "The contamination report cannot be made", violations);
        }
        List<String> evalColumns = new ArrayList<>(List.of("id", request.evalColumn()));
        request.vectorColumn().ifPresent(evalColumns::add);
        StepContext.TableRows evalRows = new StepContext.TableRows(evalName, evalTable.uuid().toString(), evalSnapshotId, evalSnapshot.summary(), evalColumns,
                consumer -> SnapshotRows.forEach(evalName, evalTable, evalSnapshotId, evalColumns, consumer));
        EvalSet evalSet;
        try {
            evalSet = EvalSets.load(evalRows, new EvalSets.Options(request.evalColumn(), request.n(), request.frequencyCap(), request.vectorColumn()));
        }
        catch (IllegalArgumentException e) {
            throw new KilnException(ErrorCode.INVALID_REQUEST, "The eval set cannot be loaded: " + e.getMessage(), List.of(new Violation("eval", e.getMessage())));
        }
        List<String> columns = new ArrayList<>(List.of("id", request.column()));
        request.vectorColumn().ifPresent(columns::add);
        ContaminationScan.Result scan = ContaminationScan.scan(evalSet, consumer -> SnapshotRows.forEach(name, table, snapshotId, columns, consumer),
                request.vectorColumn().isPresent() ? request.neighbours() : 0);
        return new Report(name, snapshotId, new EvalSetInfo(evalName, evalSnapshotId, evalSet.items(), scan.n(), scan.frequencyCap(), scan.rule(), model),
                scan.rows(), scan.dirtyRate(), scan.dirty(), scan.clean(), scan.items(), sharedSources(name, table, snapshotId, schema, evalName, evalTable, evalSnapshotId, evalSchema));
    }

    /** The source files both snapshots hold rows of, sorted; the eval set's are held in memory (it is the small side). */
    private static List<String> sharedSources(String name, Table table, long snapshotId, Schema schema, String evalName, Table evalTable, long evalSnapshotId, Schema evalSchema) {
        String column = io.kiln.lake.TableLayout.SOURCE_URI;
        if (schema.findField(column) == null || evalSchema.findField(column) == null) {
            return List.of();
        }
        java.util.Set<String> evalSources = new java.util.HashSet<>();
        SnapshotRows.forEach(evalName, evalTable, evalSnapshotId, List.of(column), values -> evalSources.add(String.valueOf(values[0])));
        java.util.TreeSet<String> shared = new java.util.TreeSet<>();
        SnapshotRows.forEach(name, table, snapshotId, List.of(column), values -> {
            String source = String.valueOf(values[0]);
            if (evalSources.contains(source)) {
                shared.add(source);
            }
        });
        return List.copyOf(shared);
    }
}
