package io.kiln.read;

import static java.util.Objects.requireNonNull;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.error.Violation;

/**
 * What to export: a pinned snapshot (by id or pin), which columns and rows, in which format, in
 * shards of at most {@code shardRows} rows and about {@code shardBytes} bytes, into {@code directory}.
 */
public record ExportRequest(Optional<Long> snapshotId, Optional<String> pin, Optional<List<String>> columns, Optional<String> filter,
        Optional<SplitRule> split, RowFormat format, long shardRows, long shardBytes, Path directory) {
    public static final long DEFAULT_SHARD_ROWS = 1_000_000;
    public static final long DEFAULT_SHARD_BYTES = 128L << 20;
    private static final Set<String> FIELDS = Set.of("snapshotId", "pin", "columns", "filter", "split", "format", "shardRows", "shardBytes", "directory");

    public ExportRequest {
        requireNonNull(snapshotId, "snapshotId is null");
        requireNonNull(pin, "pin is null");
        requireNonNull(columns, "columns is null");
        requireNonNull(filter, "filter is null");
        requireNonNull(split, "split is null");
        requireNonNull(format, "format is null");
        requireNonNull(directory, "directory is null");
        columns = columns.map(List::copyOf);
        if (snapshotId.isPresent() == pin.isPresent()) {
            throw new IllegalArgumentException("Exactly one of snapshotId and pin is needed");
        }
    }

    /**
     * Reads a request body, naming every bad field at once in a 400 INVALID_EXPORT: {@code snapshotId}
     * or {@code pin} (exactly one), {@code directory} (absolute), and optionally {@code columns},
     * {@code filter}, {@code split} (as a training config's: {@code {"fractions": {"train": 0.8, "test": 0.2}, "name": "test",
     * "seed": 17, "by": "sender"}}, or {@code {"fraction": 0.9, "seed": 17}}), {@code format} (default parquet), {@code shardRows}, {@code shardBytes}.
     */
    public static ExportRequest fromJson(JsonNode body) {
        List<Violation> violations = new ArrayList<>();
        if (body == null || !body.isObject()) {
            throw invalid(List.of(new Violation("body", "must be a JSON object with snapshotId or pin, format and directory")));
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = body.fields(); fields.hasNext(); ) {
            String name = fields.next().getKey();
            if (!FIELDS.contains(name)) {
                violations.add(new Violation(name, "unknown field; known fields: " + String.join(", ", FIELDS.stream().sorted().toList())));
            }
        }
        Optional<Long> snapshotId = Optional.empty();
        JsonNode id = body.path("snapshotId");
        if (!id.isMissingNode() && !id.isNull()) {
            // a string is how JSON carries a 64-bit id exactly; a number is still read
            if (id.isIntegralNumber() && id.canConvertToLong()) {
                snapshotId = Optional.of(id.longValue());
            }
            else if (id.isTextual() && id.textValue().matches("-?[0-9]{1,19}")) {
                try {
                    snapshotId = Optional.of(Long.parseLong(id.textValue()));
                }
                catch (NumberFormatException e) {
                    violations.add(new Violation("snapshotId", "must be a snapshot id (a whole number, as a string), was " + id.textValue()));
                }
            }
            else {
                violations.add(new Violation("snapshotId", "must be a snapshot id (a whole number, as a string)"));
            }
        }
        Optional<String> pin = text(body, "pin", violations);
        if (snapshotId.isPresent() && pin.isPresent()) {
            violations.add(new Violation("pin", "give snapshotId or pin, not both"));
        }
        else if (snapshotId.isEmpty() && pin.isEmpty() && violations.stream().noneMatch(v -> v.field().equals("snapshotId") || v.field().equals("pin"))) {
            violations.add(new Violation("snapshotId", "is required (or pin): exports read a pinned snapshot"));
        }
        Optional<List<String>> columns = Optional.empty();
        JsonNode columnList = body.path("columns");
        if (!columnList.isMissingNode() && !columnList.isNull()) {
            List<String> names = new ArrayList<>();
            if (columnList.isArray()) {
                columnList.forEach(column -> {
                    if (column.isTextual()) {
                        names.add(column.textValue());
                    }
                });
            }
            if (!columnList.isArray() || names.size() != columnList.size()) {
                violations.add(new Violation("columns", "must be a list of column names"));
            }
            columns = Optional.of(names);
        }
        Optional<String> filter = text(body, "filter", violations).filter(text -> !text.isBlank());
        Optional<SplitRule> split = split(body.path("split"), violations);
        RowFormat format = RowFormat.PARQUET;
        Optional<String> formatName = text(body, "format", violations);
        if (formatName.isPresent()) {
            Optional<RowFormat> known = RowFormat.fromName(formatName.get());
            if (known.isEmpty()) {
                violations.add(new Violation("format", "must be one of " + RowFormat.names() + ", was " + formatName.get()));
            }
            else {
                format = known.get();
            }
        }
        long shardRows = positive(body, "shardRows", DEFAULT_SHARD_ROWS, violations);
        long shardBytes = positive(body, "shardBytes", DEFAULT_SHARD_BYTES, violations);
        Path directory = null;
        Optional<String> directoryName = text(body, "directory", violations);
        if (directoryName.isEmpty()) {
            if (violations.stream().noneMatch(v -> v.field().equals("directory"))) {
                violations.add(new Violation("directory", "is required: an absolute path inside the export roots"));
            }
        }
        else {
            try {
                directory = Path.of(directoryName.get());
                if (!directory.isAbsolute()) {
                    violations.add(new Violation("directory", "must be an absolute path, was " + directoryName.get()));
                }
            }
            catch (InvalidPathException e) {
                violations.add(new Violation("directory", "is not a valid path: " + e.getReason()));
            }
        }
        if (!violations.isEmpty()) {
            throw invalid(violations);
        }
        return new ExportRequest(snapshotId, pin, columns, filter, split, format, shardRows, shardBytes, directory);
    }

    private static Optional<SplitRule> split(JsonNode split, List<Violation> violations) {
        if (split.isMissingNode() || split.isNull()) {
            return Optional.empty();
        }
        if (!split.isObject()) {
            violations.add(new Violation("split", "must be an object: {\"fractions\": {\"train\": 0.8, \"validation\": 0.1, \"test\": 0.1}, \"name\": \"validation\", \"seed\": 17}"));
            return Optional.empty();
        }
        return splitOf(split, "split.", violations);
    }

    /**
     * A split object ({@code name}, {@code fraction} or {@code fractions}, {@code seed}, {@code by}), as
     * an export and a training config give it; problems go to {@code violations} under {@code prefix}.
     */
    public static Optional<SplitRule> splitOf(JsonNode split, String prefix, List<Violation> violations) {
        int before = violations.size();
        split.fieldNames().forEachRemaining(name -> {
            if (!Set.of("name", "fraction", "fractions", "seed", "by").contains(name)) {
                violations.add(new Violation(prefix + name, "unknown field; known fields: by, fraction, fractions, name, seed"));
            }
        });
        Optional<Double> fraction = Optional.empty();
        JsonNode fractionNode = split.path("fraction");
        if (!fractionNode.isMissingNode() && !fractionNode.isNull()) {
            if (!fractionNode.isNumber() || !(fractionNode.doubleValue() > 0 && fractionNode.doubleValue() <= 1)) {
                violations.add(new Violation(prefix + "fraction", "must be a number more than 0 and at most 1"));
            }
            fraction = Optional.of(fractionNode.doubleValue());
        }
        Optional<Map<String, Double>> fractions = Optional.empty();
        JsonNode fractionsNode = split.path("fractions");
        if (!fractionsNode.isMissingNode() && !fractionsNode.isNull()) {
            Map<String, Double> named = new java.util.LinkedHashMap<>();
            if (!fractionsNode.isObject()) {
                violations.add(new Violation(prefix + "fractions", "must be an object of split names and fractions: {\"train\": 0.8, \"validation\": 0.1, \"test\": 0.1}"));
            }
            fractionsNode.fields().forEachRemaining(entry -> {
                if (!entry.getValue().isNumber()) {
                    violations.add(new Violation(prefix + "fractions." + entry.getKey(), "must be a number more than 0"));
                }
                named.put(entry.getKey(), entry.getValue().doubleValue());
            });
            fractions = Optional.of(named);
        }
        JsonNode seed = split.path("seed");
        if (!seed.isMissingNode() && !seed.isNull() && !(seed.isIntegralNumber() && seed.canConvertToLong())) {
            violations.add(new Violation(prefix + "seed", "must be a whole number"));
        }
        Optional<String> name = Optional.empty();
        JsonNode nameNode = split.path("name");
        if (!nameNode.isMissingNode() && !nameNode.isNull()) {
            if (!nameNode.isTextual()) {
                violations.add(new Violation(prefix + "name", "must be a split name as Hugging Face's loaders accept it (letters, digits and _, such as train or validation)"));
            }
            name = Optional.of(nameNode.asText());
        }
        Optional<String> by = Optional.empty();
        JsonNode byNode = split.path("by");
        if (!byNode.isMissingNode() && !byNode.isNull()) {
            if (!byNode.isTextual()) {
                violations.add(new Violation(prefix + "by", "must be a column name"));
            }
            by = Optional.of(byNode.asText());
        }
        if (violations.size() > before) {
            return Optional.empty();
        }
        return SplitRule.of(prefix, name, fraction, fractions, seed.isIntegralNumber() ? seed.longValue() : 0, by, violations);
    }

    private static Optional<String> text(JsonNode body, String field, List<Violation> violations) {
        JsonNode value = body.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual() || value.textValue().isBlank() && !field.equals("filter")) {
            violations.add(new Violation(field, "must be a non-empty string"));
            return Optional.empty();
        }
        return Optional.of(value.textValue());
    }

    private static long positive(JsonNode body, String field, long defaultValue, List<Violation> violations) {
        JsonNode value = body.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return defaultValue;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 1) {
            violations.add(new Violation(field, "must be a positive whole number"));
            return defaultValue;
        }
        return value.longValue();
    }

    /** The split the shards are named after ({@code data/<split>-...}): the split's name, or {@code train}. */
    public String splitName() {
        return split.map(SplitRule::name).filter(name -> !name.equals("split")).orElse("train");
    }

    static KilnException invalid(List<Violation> violations) {
        return new KilnException(ErrorCode.INVALID_EXPORT, "The export request is invalid", violations);
    }
}
