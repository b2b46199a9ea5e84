package io.kiln.job;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.kiln.error.Violation;
import io.kiln.lake.TableLayout;
import io.kiln.source.CsvOptions;
import io.kiln.source.Compression;
import io.kiln.source.InputFile;
import io.kiln.source.ReadOptions;
import io.kiln.source.RecordSchema;
import io.kiln.source.SourceResolver;
import io.kiln.source.UnionFormat;
import io.kiln.transform.Column;
import io.kiln.transform.DataType;
import io.kiln.transform.StepContext;

/**
 * Binds where a job's rows come from: one {@code source}, or the union of {@code sources}, then
 * the {@code join}s that enrich them. Every problem is a violation naming its field
 * ({@code sources[1].columns.price}, {@code join[0].on}), found when the job is created.
 */
final class Unification {
    private Unification() {}

    /** A published table at one snapshot: every column's type, and its rows with the id and the columns asked for. */
    record LookupTable(long snapshotId, Map<String, Column> columns, java.util.function.Function<List<String>, StepContext.TableRows> reader) {
        StepContext.TableRows rows(List<String> wanted) {
            return reader.apply(wanted);
        }
    }

    /** Finds a published table at a pin or snapshot id. */
    @FunctionalInterface
    interface Tables {
        Optional<LookupTable> find(String table, String reference);
    }

    /** The rows' source as one bound source (its declared columns include what the joins add), the joins, and the URI the summary names. */
    record Bound(SourceBinding.Bound source, Joins joins, String sourceUri) {}

    static Optional<Bound> bind(JobSpec spec, Set<String> invalid, SourceResolver resolver, Tables tables, List<Violation> violations) {
        int before = violations.size();
        Optional<SourceBinding.Bound> primary;
        String sourceUri;
        if (spec.source() != null && !spec.sources().isEmpty()) {
            violations.add(new Violation("sources", "give either source (one) or sources (a union), not both"));
            return Optional.empty();
        }
        if (spec.source() == null && spec.sources().isEmpty()) {
            violations.add(new Violation("source", "is required (or sources, for a union of several)"));
            return Optional.empty();
        }
        if (spec.source() != null && spec.source().columns().isEmpty()) {
            primary = SourceBinding.bind(spec.source(), invalid, resolver, violations);
            sourceUri = spec.source().uri();
        }
        else {
            List<SourceSpec> members = spec.source() != null ? List.of(spec.source()) : spec.sources();
            primary = union(members, spec.source() != null ? List.of("source") : indexed("sources", members.size()), invalid, resolver, violations);
            sourceUri = String.join(" ", members.stream().map(SourceSpec::uri).toList());
        }
        if (primary.isEmpty() || spec.join().isEmpty()) {
            return violations.size() > before ? Optional.empty() : primary.map(source -> new Bound(source, Joins.NONE, sourceUri));
        }
        Optional<BoundJoins> joins = joins(spec.join(), primary.get(), invalid, resolver, tables, violations);
        if (joins.isEmpty() || violations.size() > before) {
            return Optional.empty();
        }
        SourceBinding.Bound rows = primary.get();
        List<Column> declared = new ArrayList<>(rows.declared());
        declared.addAll(joins.get().joins().columns());
        List<InputFile> inputs = new ArrayList<>(rows.inputs());
        inputs.addAll(joins.get().joins().inputs());
        Map<String, Object> recipe = new LinkedHashMap<>(rows.recipe());
        recipe.put("join", joins.get().recipes());
        return Optional.of(new Bound(new SourceBinding.Bound(rows.format(), inputs, rows.options(), declared, recipe), joins.get().joins(), sourceUri));
    }

    private static List<String> indexed(String name, int size) {
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            paths.add(name + "[" + i + "]");
        }
        return paths;
    }

    /** Binds a source as if it were the job's only one, its violations named under {@code path} ({@code sources[1].schema}). */
    private static Optional<SourceBinding.Bound> bindAt(SourceSpec source, String path, Set<String> invalid, SourceResolver resolver, List<Violation> violations) {
        Set<String> own = new HashSet<>();
        invalid.stream().filter(field -> field.startsWith(path + ".")).forEach(field -> own.add("source" + field.substring(path.length())));
        List<Violation> found = new ArrayList<>();
        Optional<SourceBinding.Bound> bound = SourceBinding.bind(source, own, resolver, found);
        found.forEach(violation -> violations.add(new Violation(violation.field().startsWith("source") ? path + violation.field().substring("source".length())
                : violation.field(), violation.message())));
        return found.isEmpty() ? bound : Optional.empty();
    }

    /** The union of typed sources: one schema by each member's column mapping, read member by member. */
    private static Optional<SourceBinding.Bound> union(List<SourceSpec> members, List<String> paths, Set<String> invalid, SourceResolver resolver,
            List<Violation> violations) {
        int before = violations.size();
        List<SourceBinding.Bound> bound = new ArrayList<>();
        List<Map<String, String>> renames = new ArrayList<>();
        Map<String, String> readBy = new HashMap<>();
        for (int i = 0; i < members.size(); i++) {
            String path = paths.get(i);
            Optional<SourceBinding.Bound> member = bindAt(members.get(i), path, invalid, resolver, violations);
            if (member.isEmpty()) {
                continue;
            }
            if (!member.get().typed()) {
                violations.add(new Violation(path + ".format", "a union or a column mapping reads typed sources (jsonl with a schema, csv, parquet); "
                        + members.get(i).format() + " without a schema is not one"));
                continue;
            }
            for (InputFile input : member.get().inputs()) {
                String other = readBy.putIfAbsent(input.uri(), path);
                if (other != null) {
                    violations.add(new Violation(path + ".uri", "reads " + input.uri() + ", which " + other + " reads too; a file is read once"));
                }
            }
            checkMapping(members.get(i).columns(), member.get().declared(), path + ".columns", "this source", violations);
            bound.add(member.get());
            renames.add(members.get(i).columns());
        }
        if (violations.size() > before) {
            return Optional.empty();
        }
        List<UnionFormat.Conflict> conflicts = new ArrayList<>();
        List<UnionFormat.Unified> unified = UnionFormat.unify(bound.stream().map(SourceBinding.Bound::declared).toList(), renames, conflicts);
        for (UnionFormat.Conflict conflict : conflicts) {
            violations.add(new Violation(paths.get(conflict.member()) + ".columns", conflict.message()));
        }
        if (!conflicts.isEmpty()) {
            return Optional.empty();
        }
        List<Column> columns = unified.stream().map(UnionFormat.Unified::column).toList();
        List<UnionFormat.Member> formats = new ArrayList<>();
        List<Object> memberRecipes = new ArrayList<>();
        List<InputFile> inputs = new ArrayList<>();
        for (int i = 0; i < bound.size(); i++) {
            SourceBinding.Bound member = bound.get(i);
            formats.add(new UnionFormat.Member(member.format(), member.options(), member.inputs(), renames.get(i)));
            inputs.addAll(member.inputs());
            Map<String, Object> recipe = new LinkedHashMap<>(member.recipe());
            if (!renames.get(i).isEmpty()) {
                recipe.put("columns", renames.get(i));
            }
            memberRecipes.add(recipe);
        }
        Map<String, Object> recipe = new LinkedHashMap<>();
        recipe.put("union", memberRecipes);
        recipe.put("schema", Map.of("columns", columnRecipes(columns)));
        List<RecordSchema.Field> fields = columns.stream().map(column -> new RecordSchema.Field(column, column.name())).toList();
        ReadOptions options = ReadOptions.typed(new RecordSchema(fields, new RecordSchema.FromField(TableLayout.ID.name()), RecordSchema.UnknownFields.REJECT),
                SourceBinding.DEFAULT_MAX_RECORD_BYTES, CsvOptions.DEFAULT, Compression.AUTO);
        return Optional.of(new SourceBinding.Bound(new UnionFormat(formats, columns, recipe), inputs, options, columns, recipe));
    }

    private static List<Map<String, Object>> columnRecipes(List<Column> columns) {
        List<Map<String, Object>> recipes = new ArrayList<>();
        for (Column column : columns) {
            Map<String, Object> recipe = new LinkedHashMap<>();
            recipe.put("name", column.name());
            recipe.put("type", column.type().spec());
            recipe.put("required", column.required());
            recipes.add(recipe);
        }
        return recipes;
    }

    /** A column mapping names columns of the source, and maps each to a valid, unreserved name (or null to drop it). */
    private static void checkMapping(Map<String, String> mapping, List<Column> columns, String path, String what, List<Violation> violations) {
        for (Map.Entry<String, String> entry : mapping.entrySet()) {
            if (columns.stream().noneMatch(column -> column.name().equals(entry.getKey()))) {
                violations.add(new Violation(path + "." + entry.getKey(), "is not a column of " + what + "; its columns are "
                        + String.join(", ", columns.stream().map(Column::name).toList())));
            }
            else if (entry.getValue() != null && (!Column.isValidName(entry.getValue()) || TableLayout.isReserved(entry.getValue()))) {
                violations.add(new Violation(path + "." + entry.getKey(), "must map to a lower snake case column name that is not Kiln's own (or null to drop it), was "
                        + entry.getValue()));
            }
        }
    }

    // ---- joins

    /** The bound joins and how the recipe records them. */
    private record BoundJoins(Joins joins, List<Object> recipes) {}

    /** The types a key may have: compared exactly (whole numbers as longs, decimals by value). */
    private static boolean keyType(DataType type) {
        return type == DataType.STRING || type == DataType.INT || type == DataType.LONG || type == DataType.BOOLEAN || type == DataType.DATE
                || type instanceof DataType.Decimal;
    }

    private static boolean sameKey(DataType row, DataType lookup) {
        boolean rowWhole = row == DataType.INT || row == DataType.LONG;
        boolean lookupWhole = lookup == DataType.INT || lookup == DataType.LONG;
        return rowWhole && lookupWhole || row instanceof DataType.Decimal && lookup instanceof DataType.Decimal || row.equals(lookup);
    }

    /** The types a pinned table's column may give a row (what its Arrow values are read as). */
    private static boolean tableType(DataType type) {
        return type == DataType.STRING || type == DataType.INT || type == DataType.LONG || type == DataType.BOOLEAN || type == DataType.FLOAT
                || type == DataType.DOUBLE || type instanceof DataType.Decimal;
    }

    private static Optional<BoundJoins> joins(List<JoinSpec> specs, SourceBinding.Bound rows, Set<String> invalid, SourceResolver resolver, Tables tables,
            List<Violation> violations) {
        int before = violations.size();
        Map<String, Column> available = new LinkedHashMap<>();
        available.put(TableLayout.ID.name(), TableLayout.ID);
        rows.declared().forEach(column -> available.put(column.name(), column));
        rows.format().columns().forEach(column -> available.putIfAbsent(column.name(), column));
        Set<String> read = new HashSet<>();
        rows.inputs().forEach(input -> read.add(input.uri()));
        List<Joins.Lookup> lookups = new ArrayList<>();
        List<Object> recipes = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            String path = "join[" + i + "]";
            JoinSpec spec = specs.get(i);
            if (spec.source() != null == (spec.table() != null)) {
                violations.add(new Violation(path, "must name either a source or a published table (with a pin or a snapshot), not "
                        + (spec.source() == null ? "neither" : "both")));
                continue;
            }
            Optional<List<String[]>> on = on(spec.on(), path + ".on", violations);
            Map<String, Column> lookupColumns = new LinkedHashMap<>();
            Optional<Joins.FileSide> file = Optional.empty();
            Optional<LookupTable> table = Optional.empty();
            Map<String, Object> recipe = new LinkedHashMap<>();
            String name;
            if (spec.source() != null) {
                SourceSpec source = spec.source().id() == null ? spec.source().withId(JsonNodeFactory.instance.objectNode().put("from", "position")) : spec.source();
                if (!source.columns().isEmpty()) {
                    violations.add(new Violation(path + ".source.columns", "a join renames the lookup's columns with " + path + ".columns"));
                    continue;
                }
                if (source.files() != null) {
                    violations.add(new Violation(path + ".source.files", "does not apply to a lookup"));
                    continue;
                }
                Optional<SourceBinding.Bound> bound = bindAt(source, path + ".source", invalid, resolver, violations);
                if (bound.isEmpty()) {
                    continue;
                }
                if (!bound.get().typed()) {
                    violations.add(new Violation(path + ".source.format", "a lookup is a typed source (jsonl with a schema, csv, parquet)"));
                    continue;
                }
                for (InputFile input : bound.get().inputs()) {
                    if (!read.add(input.uri())) {
                        violations.add(new Violation(path + ".source.uri", "reads " + input.uri() + ", which the job reads already; a file is read once"));
                    }
                }
                bound.get().declared().forEach(column -> lookupColumns.put(column.name(), column));
                file = Optional.of(new Joins.FileSide(bound.get().format(), bound.get().options(), bound.get().inputs()));
                name = source.uri();
                recipe.put("source", bound.get().recipe());
            }
            else {
                if (spec.pin() != null == (spec.snapshot() != null)) {
                    violations.add(new Violation(path + ".pin", "a table lookup names either a pin or a snapshot id, so that the job reads fixed rows"));
                    continue;
                }
                String reference = spec.pin() != null ? spec.pin() : Long.toString(spec.snapshot());
                table = tables.find(spec.table(), reference);
                if (table.isEmpty()) {
                    violations.add(new Violation(path + (spec.pin() != null ? ".pin" : ".snapshot"), "table " + spec.table() + " has no published snapshot "
                            + (spec.pin() != null ? "or pin '" + spec.pin() + "'" : spec.snapshot())));
                    continue;
                }
                table.get().columns().forEach((column, type) -> lookupColumns.put(column, type));
                name = spec.table() + "@" + table.get().snapshotId();
                recipe.put("table", spec.table());
                recipe.put("snapshot", table.get().snapshotId());
            }
            if (on.isEmpty()) {
                continue;
            }
            List<String> rowKeys = new ArrayList<>();
            List<String> lookupKeys = new ArrayList<>();
            Map<String, String> keyRecipe = new LinkedHashMap<>();
            Set<String> onLookup = new HashSet<>();
            on.get().forEach(pair -> onLookup.add(pair[1]));
            for (String[] pair : on.get()) {
                Column row = available.get(pair[0]);
                Column lookup = lookupColumns.get(pair[1]);
                if (row == null) {
                    violations.add(new Violation(path + ".on", "row column " + pair[0] + " is not a column of the rows; they have "
                            + String.join(", ", available.keySet())));
                }
                else if (lookup == null) {
                    violations.add(new Violation(path + ".on", "lookup column " + pair[1] + " is not a column of " + name + "; it has "
                            + String.join(", ", lookupColumns.keySet())));
                }
                else if (!keyType(row.type()) || !keyType(lookup.type()) || !sameKey(row.type(), lookup.type())) {
                    violations.add(new Violation(path + ".on", "row column " + pair[0] + " is " + row.type().spec() + " and lookup column " + pair[1] + " is "
                            + lookup.type().spec() + "; keys are compared exactly: both string, both whole numbers, both decimal, both date or both boolean"));
                }
                else {
                    rowKeys.add(pair[0]);
                    lookupKeys.add(pair[1]);
                    keyRecipe.put(pair[0], pair[1]);
                }
            }
            checkMapping(spec.columns(), List.copyOf(lookupColumns.values()), path + ".columns", name, violations);
            boolean inner = spec.type() == null || spec.type().equals("inner");
            Map<String, String> output = new LinkedHashMap<>();
            List<Column> added = new ArrayList<>();
            for (Column column : lookupColumns.values()) {
                boolean named = spec.columns().containsKey(column.name());
                String target = named ? spec.columns().get(column.name()) : column.name();
                boolean tableId = table.isPresent() && column.name().equals(TableLayout.ID.name());
                if (target == null || onLookup.contains(column.name()) && !named || (tableId || TableLayout.isReserved(column.name())) && !named) {
                    continue;
                }
                if (table.isPresent() && !tableType(column.type())) {
                    violations.add(new Violation(path + ".columns", "column " + column.name() + " of " + name + " is " + column.type().spec()
                            + "; a table lookup gives string, boolean, int, long, float, double and decimal columns; drop it with {\"" + column.name() + "\": null}"));
                    continue;
                }
                if (available.containsKey(target)) {
                    violations.add(new Violation(path + ".columns", "lookup column " + column.name() + " would be column " + target + ", which the rows have already ("
                            + available.get(target).type().spec() + "); rename it with {\"" + column.name() + "\": \"new_name\"} or drop it with null"));
                    continue;
                }
                Column joined = new Column(target, column.type(), inner && column.required(), "from " + path + " (" + name + "), column " + column.name());
                output.put(column.name(), target);
                added.add(joined);
            }
            if (violations.size() > before) {
                continue;
            }
            added.forEach(column -> available.put(column.name(), column));
            Optional<StepContext.TableRows> tableRows = Optional.empty();
            if (table.isPresent()) {
                List<String> columns = new ArrayList<>(lookupKeys);
                output.keySet().stream().filter(column -> !columns.contains(column)).forEach(columns::add);
                tableRows = Optional.of(table.get().rows(columns));
            }
            Joins.Duplicates duplicates = spec.duplicates() == null ? Joins.Duplicates.REJECT
                    : Joins.Duplicates.valueOf(spec.duplicates().toUpperCase(java.util.Locale.ROOT));
            lookups.add(new Joins.Lookup(i, name, file, tableRows, rowKeys, lookupKeys, inner, duplicates, output, added,
                    spec.maxRows() == null ? Joins.DEFAULT_MAX_ROWS : spec.maxRows()));
            recipe.put("on", keyRecipe);
            recipe.put("type", inner ? "inner" : "left");
            recipe.put("duplicates", duplicates.name().toLowerCase(java.util.Locale.ROOT));
            recipe.put("columns", columnRecipes(added));
            recipes.add(recipe);
        }
        return violations.size() > before ? Optional.empty() : Optional.of(new BoundJoins(new Joins(lookups), recipes));
    }

    /** {@code on}: a list of column names both sides have, or an object of row column to lookup column; each pair as {row, lookup}. */
    private static Optional<List<String[]>> on(JsonNode on, String path, List<Violation> violations) {
        List<String[]> pairs = new ArrayList<>();
        if (on != null && on.isArray()) {
            for (JsonNode name : on) {
                if (!name.isTextual() || name.textValue().isBlank()) {
                    pairs.clear();
                    break;
                }
                pairs.add(new String[] {name.textValue(), name.textValue()});
            }
        }
        else if (on != null && on.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = on.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (!field.getValue().isTextual() || field.getValue().textValue().isBlank()) {
                    pairs.clear();
                    break;
                }
                pairs.add(new String[] {field.getKey(), field.getValue().textValue()});
            }
        }
        if (pairs.isEmpty()) {
            violations.add(new Violation(path, "is required: the key columns, as [\"key\"] (the same name on both sides) or {\"row_column\": \"lookup_column\"}"));
            return Optional.empty();
        }
        return Optional.of(pairs);
    }
}
