package io.kiln.source;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;

import io.kiln.transform.Column;
import io.kiln.transform.DataType;
import io.kiln.transform.Row;

/**
 * Several sources read as one: each input file is read by the member source it belongs to, with
 * that member's format and options, and its rows are renamed into the union's columns (a member's
 * {@code columns} mapping; a column it maps to null is dropped) and widened to the union's types
 * (int to long, float to double, a decimal's precision). A column a member lacks is null in its
 * rows. Records are read member by member, in the members' order, each member's files in order;
 * the lineage column {@code _kiln_source_uri} says which file each row came from.
 */
public final class UnionFormat implements SourceFormat {
    /**
     * One source of the union: its format, options and files, and its columns' names in the union
     * ({@code rename}: the member's column to the union's; a value of null drops the column; a
     * column not named keeps its name).
     */
    public record Member(SourceFormat format, ReadOptions options, List<InputFile> inputs, Map<String, String> rename) {
        public Member {
            requireNonNull(format, "format is null");
            requireNonNull(options, "options is null");
            inputs = List.copyOf(inputs);
            rename = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rename));
        }

        /** The union's name for a column of this member; empty when the member drops it. */
        public Optional<String> target(String column) {
            return rename.containsKey(column) ? Optional.ofNullable(rename.get(column)) : Optional.of(column);
        }
    }

    private final List<Member> members;
    private final List<Column> columns;
    private final Map<String, DataType> types = new HashMap<>();
    private final Map<String, Member> byUri = new HashMap<>();
    private final Map<String, Object> recipe;

    /** {@code columns}: the union's declared columns, as {@link #unify} made them; {@code recipe}: how the binder records the union. */
    public UnionFormat(List<Member> members, List<Column> columns, Map<String, Object> recipe) {
        this.members = List.copyOf(members);
        this.columns = List.copyOf(columns);
        this.recipe = requireNonNull(recipe, "recipe is null");
        columns.forEach(column -> types.put(column.name(), column.type()));
        for (Member member : members) {
            for (InputFile input : member.inputs()) {
                if (byUri.putIfAbsent(input.uri(), member) != null) {
                    throw new IllegalArgumentException("input " + input.uri() + " belongs to two sources of the union");
                }
            }
        }
    }

    public List<Member> members() {
        return members;
    }

    /** The inputs of every member, in the order the union reads them. */
    public List<InputFile> inputs() {
        List<InputFile> inputs = new ArrayList<>();
        members.forEach(member -> inputs.addAll(member.inputs()));
        return inputs;
    }

    /** A column of the union, as the members give it: its name, and the member columns that fill it. */
    public record Unified(Column column, List<Integer> members) {}

    /** Why members' columns cannot be one column: the column and a message naming both types. */
    public record Conflict(String column, int member, String message) {}

    /**
     * The union's columns from each member's declared columns and mapping: in the order they first
     * appear; the wider type where members differ by a widening; required only where every member
     * has the column and requires it. Columns of types that do not widen into each other are conflicts.
     */
    public static List<Unified> unify(List<List<Column>> declared, List<Map<String, String>> renames, List<Conflict> conflicts) {
        Map<String, Column> merged = new LinkedHashMap<>();
        Map<String, List<Integer>> from = new LinkedHashMap<>();
        for (int i = 0; i < declared.size(); i++) {
            Map<String, String> rename = renames.get(i);
            for (Column column : declared.get(i)) {
                String name = rename.containsKey(column.name()) ? rename.get(column.name()) : column.name();
                if (name == null) {
                    continue;
                }
                Column existing = merged.get(name);
                if (existing == null) {
                    merged.put(name, new Column(name, column.type(), column.required(), column.doc()));
                    from.computeIfAbsent(name, key -> new ArrayList<>()).add(i);
                    continue;
                }
                if (from.get(name).contains(i)) {
                    conflicts.add(new Conflict(name, i, "two columns of this source become column " + name));
                    continue;
                }
                DataType type;
                if (existing.type().accepts(column.type())) {
                    type = existing.type();
                }
                else if (column.type().accepts(existing.type())) {
                    type = column.type();
                }
                else {
                    conflicts.add(new Conflict(name, i, "column " + name + " is " + column.type().spec() + " here and " + existing.type().spec()
                            + " in an earlier source; map one to another name, or declare the same type"));
                    continue;
                }
                merged.put(name, new Column(name, type, existing.required() && column.required(), existing.doc()));
                from.get(name).add(i);
            }
        }
        List<Unified> unified = new ArrayList<>();
        for (Map.Entry<String, Column> entry : merged.entrySet()) {
            Column column = entry.getValue();
            boolean everywhere = from.get(entry.getKey()).size() == declared.size();
            unified.add(new Unified(everywhere ? column : column.asOptional(), List.copyOf(from.get(entry.getKey()))));
        }
        return unified;
    }

    @Override
    public String specName() {
        return "union";
    }

    @Override
    public Typing typing() {
        return Typing.TYPED;
    }

    @Override
    public List<Column> fixedColumns() {
        return columns;
    }

    /** The optional columns any member's format adds, under the union's names. */
    @Override
    public List<Column> columns() {
        Map<String, Column> optional = new LinkedHashMap<>();
        for (Member member : members) {
            for (Column column : member.format().columns()) {
                member.target(column.name()).ifPresent(name -> optional.putIfAbsent(name, new Column(name, column.type(), false, column.doc())));
            }
        }
        return List.copyOf(optional.values());
    }

    @Override
    public Map<String, Object> recipe(ReadOptions options) {
        return recipe;
    }

    /** Opens the file with the options of its member (under {@code options}' limits), renaming and widening its rows into the union's columns. */
    @Override
    public RecordReader open(InputFile file, String sha256, ReadOptions options, LongConsumer bytesRead) throws IOException {
        Member member = byUri.get(file.uri());
        if (member == null) {
            throw new IllegalArgumentException("input " + file.uri() + " is in no source of the union");
        }
        ReadOptions memberOptions = member.options().withLimits(options.maxRecordBytes(), options.documentLimits());
        RecordReader opened = member.format().open(file, sha256, memberOptions, bytesRead);
        RecordReader reader = memberOptions.media().isPresent() ? memberOptions.media().get().wrap(opened, file) : opened;
        return reader.mapParsed(parsed -> new SourceRecord.Parsed(unified(member, parsed.row()), parsed.position()));
    }

    /** A member's row under the union's names and types; the widenings {@link #unify} allows cannot fail. */
    private Row unified(Member member, Row row) {
        if (member.rename().isEmpty() && sameTypes(row)) {
            return row;
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : row.columns().entrySet()) {
            Optional<String> name = member.target(entry.getKey());
            if (name.isEmpty()) {
                continue;
            }
            DataType type = types.get(name.get());
            Object value = entry.getValue();
            try {
                values.put(name.get(), type == null ? value : TypedValues.fromPlain(value, type, name.get()));
            }
            catch (ValueException e) {
                throw new IllegalStateException("a widening failed: " + e.getMessage(), e);
            }
        }
        return new Row(row.id(), values);
    }

    private boolean sameTypes(Row row) {
        for (Map.Entry<String, Object> entry : row.columns().entrySet()) {
            DataType type = types.get(entry.getKey());
            Object value = entry.getValue();
            if (type == DataType.LONG && value instanceof Integer || type == DataType.DOUBLE && value instanceof Float) {
                return false;
            }
        }
        return true;
    }
}
