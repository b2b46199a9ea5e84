package io.kiln.read;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;

/**
 * A {@link RowFilter}'s conditions as Trino SQL, with the filter's own semantics: a null satisfies
 * only {@code is null} (as in SQL); strings compare by code point (as Trino's varchar does); a float
 * or double NaN lies above every number, where SQL's comparisons are false for it, so comparisons on
 * those columns say so with {@code is_nan}. One difference is left: the filter orders -0.0 below 0.0,
 * and SQL holds them equal.
 */
final class TrinoPredicates {
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

    private TrinoPredicates() {}

    static String and(List<RowFilter.Condition> conditions, Schema schema) {
        if (conditions.isEmpty()) {
            return "TRUE";
        }
        List<String> predicates = new ArrayList<>();
        for (RowFilter.Condition condition : conditions) {
            Types.NestedField field = schema.findField(condition.column());
            boolean utc = field == null || !(field.type() instanceof Types.TimestampType timestamp) || timestamp.shouldAdjustToUTC();
            predicates.add(predicate(condition, utc));
        }
        return String.join(" AND ", predicates);
    }

    /** {@code utc}: the column is a timestamp with time zone (Kiln's), or not a timestamp; a literal for a local timestamp says no zone. */
    private static String predicate(RowFilter.Condition condition, boolean utc) {
        String column = identifier(condition.column());
        List<Object> values = condition.values();
        boolean floating = !values.isEmpty() && (values.get(0) instanceof Float || values.get(0) instanceof Double);
        return switch (condition.operator()) {
            case IS_NULL -> column + " IS NULL";
            case IS_NOT_NULL -> column + " IS NOT NULL";
            case STARTS_WITH -> "starts_with(" + column + ", " + literal(values.get(0), utc) + ")";
            case IN, NOT_IN -> floating ? floatingIn(column, values, condition.operator() == RowFilter.Operator.IN)
                    : column + (condition.operator() == RowFilter.Operator.IN ? " IN (" : " NOT IN (") + literals(values, utc) + ")";
            default -> floating ? floatingComparison(column, condition.operator(), values.get(0))
                    : column + " " + symbol(condition.operator()) + " " + literal(values.get(0), utc);
        };
    }

    /**
     * The filter's literals are numbers (never NaN), and a NaN value lies above all of them: it
     * satisfies !=, >, >= and not in, where SQL's comparisons are false for it.
     */
    private static String floatingComparison(String column, RowFilter.Operator operator, Object literal) {
        String comparison = column + " " + symbol(operator) + " " + literal(literal, true);
        return switch (operator) {
            case NOT_EQUAL, GREATER, GREATER_OR_EQUAL -> "(" + comparison + " OR is_nan(" + column + "))";
            default -> comparison;
        };
    }

    private static String floatingIn(String column, List<Object> values, boolean in) {
        String list = literals(values, true);
        return in ? column + " IN (" + list + ")" : "(" + column + " NOT IN (" + list + ") OR is_nan(" + column + "))";
    }

    private static String symbol(RowFilter.Operator operator) {
        return switch (operator) {
            case EQUAL -> "=";
            case NOT_EQUAL -> "<>";
            case LESS -> "<";
            case LESS_OR_EQUAL -> "<=";
            case GREATER -> ">";
            case GREATER_OR_EQUAL -> ">=";
            default -> throw new IllegalArgumentException("not a comparison: " + operator);
        };
    }

    private static String literals(List<Object> values, boolean utc) {
        return String.join(", ", values.stream().map(value -> literal(value, utc)).toList());
    }

    private static String literal(Object value, boolean utc) {
        if (value instanceof String text) {
            return "'" + text.replace("'", "''") + "'";
        }
        if (value instanceof Boolean bool) {
            return bool ? "TRUE" : "FALSE";
        }
        if (value instanceof BigDecimal decimal) {
            return "DECIMAL '" + decimal.toPlainString() + "'";
        }
        if (value instanceof Float f) {
            return "REAL '" + f + "'";
        }
        if (value instanceof Double d) {
            return "DOUBLE '" + d + "'";
        }
        if (value instanceof LocalDate date) {
            return "DATE '" + date + "'";
        }
        if (value instanceof Instant instant) {
            return "TIMESTAMP '" + TIMESTAMP.format(instant) + (utc ? " UTC'" : "'");
        }
        return value.toString(); // Integer, Long
    }

    /** A column name, double-quoted as Trino quotes identifiers. */
    static String identifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
