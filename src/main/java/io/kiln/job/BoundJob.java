package io.kiln.job;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.iceberg.catalog.TableIdentifier;

import io.kiln.source.ReadOptions;
import io.kiln.source.InputFile;
import io.kiln.source.SourceFormat;
import io.kiln.lake.TableLayout;
import io.kiln.transform.Column;
import io.kiln.transform.Row;
import io.kiln.transform.TransformChain;

/**
 * A JobSpec with every part checked and bound: the table, the input files, the parser and the
 * transform chain, and the recipe that identifies how rows are made. {@code inputs} are the
 * rows' inputs, then the lookup files of the {@code joins}; {@code declaredColumns} include the
 * columns the joins add. {@code checks} is the suite
 * divided into the row rules Kiln checks while writing and what is left for the engine.
 */
public record BoundJob(
        TableIdentifier table,
        String sourceUri,
        List<InputFile> inputs,
        SourceFormat format,
        ReadOptions readOptions,
        List<Column> declaredColumns,
        TransformChain chain,
        Recipe recipe,
        Optional<String> tag,
        Optional<String> suiteName,
        Optional<String> suite,
        double maxRejectedRate,
        io.kiln.check.RowRules.Split checks,
        Map<String, io.kiln.transform.StepContext.TableRows> evalSets,
        Joins joins) {
    public BoundJob {
        requireNonNull(joins, "joins is null");
        requireNonNull(table, "table is null");
        requireNonNull(sourceUri, "sourceUri is null");
        inputs = List.copyOf(inputs);
        requireNonNull(format, "format is null");
        requireNonNull(readOptions, "readOptions is null");
        declaredColumns = List.copyOf(declaredColumns);
        requireNonNull(chain, "chain is null");
        requireNonNull(recipe, "recipe is null");
        requireNonNull(tag, "tag is null");
        requireNonNull(suiteName, "suiteName is null");
        requireNonNull(suite, "suite is null");
        requireNonNull(checks, "checks is null");
        evalSets = Map.copyOf(evalSets);
    }

    /** A job without joins. */
    public BoundJob(TableIdentifier table, String sourceUri, List<InputFile> inputs, SourceFormat format, ReadOptions readOptions, List<Column> declaredColumns,
            TransformChain chain, Recipe recipe, Optional<String> tag, Optional<String> suiteName, Optional<String> suite, double maxRejectedRate,
            io.kiln.check.RowRules.Split checks, Map<String, io.kiln.transform.StepContext.TableRows> evalSets) {
        this(table, sourceUri, inputs, format, readOptions, declaredColumns, chain, recipe, tag, suiteName, suite, maxRejectedRate, checks, evalSets, Joins.NONE);
    }

    /** A job without eval sets for its suite's contamination rules. */
    public BoundJob(TableIdentifier table, String sourceUri, List<InputFile> inputs, SourceFormat format, ReadOptions readOptions, List<Column> declaredColumns,
            TransformChain chain, Recipe recipe, Optional<String> tag, Optional<String> suiteName, Optional<String> suite, double maxRejectedRate,
            io.kiln.check.RowRules.Split checks) {
        this(table, sourceUri, inputs, format, readOptions, declaredColumns, chain, recipe, tag, suiteName, suite, maxRejectedRate, checks, Map.of());
    }

    /**
     * The columns of the table this job writes, in table order: the id, the source's declared
     * columns, the lineage, then the optional columns of the source format and of the steps.
     */
    public List<Column> tableColumns() {
        return tableColumns(declaredColumns, format, chain);
    }

    /**
     * A declared column that a step sets again keeps its place with the step's type (a
     * quasi-identifier generalized to text); a column a step removes is not in the table.
     */
    static List<Column> tableColumns(List<Column> declaredColumns, SourceFormat format, TransformChain chain) {
        java.util.Map<String, Column> stepColumns = new java.util.LinkedHashMap<>();
        chain.columns().forEach(column -> stepColumns.put(column.name(), column));
        java.util.Set<String> removed = chain.removedColumns();
        List<Column> declared = new java.util.ArrayList<>();
        for (Column column : declaredColumns) {
            if (removed.contains(column.name())) {
                continue;
            }
            Column replacement = stepColumns.remove(column.name());
            declared.add(replacement == null ? column : new Column(column.name(), replacement.type(), column.required(), replacement.doc()));
        }
        List<Column> optional = new java.util.ArrayList<>();
        for (Column column : format.columns()) {
            if (!removed.contains(column.name())) {
                optional.add(stepColumns.containsKey(column.name()) && !stepColumns.get(column.name()).type().equals(column.type())
                        ? stepColumns.remove(column.name()) : column);
            }
        }
        optional.addAll(stepColumns.values());
        return TableLayout.columns(declared, optional);
    }

    /**
     * Whether the rows are a text source's id and text (and what text steps add): read without a schema by a format whose
     * one column is the text ({@code text}, {@code auto}, {@code document}, JSON lines), not files (images, audio,
     * WebDataset samples) nor typed columns.
     */
    public boolean textSource() {
        return !typed() && format.fixedColumns().size() == 1 && format.fixedColumns().get(0).name().equals(Row.TEXT);
    }

    /** Whether the source's rows are typed by a schema, rather than a text source's id and text. */
    public boolean typed() {
        return readOptions.schema().isPresent();
    }
}
