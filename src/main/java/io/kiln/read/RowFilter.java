package io.kiln.read;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.transform.Timestamps;

/**
 * A row filter for reads and exports: conditions joined by {@code and}, each one of
 * <pre>
 *   column = literal      column != literal     column &lt; literal    column &lt;= literal
 *   column &gt; literal      column &gt;= literal
 *   column in (literal, ...)                   column not in (literal, ...)
 *   column is null                             column is not null
 *   column starts_with 'prefix'
 * </pre>
 * Keywords are case-insensitive. A column is a name ({@code _kiln_job_id}) or a double-quoted name
 * ({@code "and"}). A literal is a single-quoted string ({@code 'it''s'}: a quote is doubled), a
 * number ({@code 42}, {@code -1.5e3}) or {@code true}/{@code false}, and must suit the column's type:
 * strings for string columns, numbers for int, long, float, double and decimal columns (a decimal
 * literal may not have more digits after the point than the column), booleans for boolean columns,
 * and strings in ISO-8601 for date ({@code '2024-03-01'}) and timestamp
 * ({@code '2024-03-01T12:00:00Z'}, UTC when no offset is given) columns. Binary, list and struct
 * columns cannot be filtered on.
 *
 * <p>Semantics are SQL's: a null value satisfies only {@code is null}; every comparison, {@code in},
 * {@code not in} and {@code starts_with} is false for it. Strings compare by Unicode code point, floats
 * and doubles numerically (NaN above every number).
 *
 * <p>The filter becomes an Iceberg {@link Expression} that prunes data files and row groups, and a
 * {@link #predicate(Schema) predicate} that decides each row exactly: Iceberg's pruning is a
 * superset of these semantics. Immutable and thread-safe.
 */
public final class RowFilter {
    private final String text;
    private final List<Condition> conditions;

    private RowFilter(String text, List<Condition> conditions) {
        this.text = text;
        this.conditions = List.copyOf(conditions);
    }

    /** Parses {@code text} against {@code schema}; a syntax error, an unknown column or a literal of the wrong type is a 400 INVALID_FILTER. */
    public static RowFilter parse(String text, Schema schema) {
        requireNonNull(text, "text is null");
        requireNonNull(schema, "schema is null");
        List<Condition> conditions = new Parser(text, schema).parse();
        return new RowFilter(text, conditions);
    }

    public String text() {
        return text;
    }

    /** The columns the filter reads, in the order they first appear. */
    public Set<String> columns() {
        Set<String> columns = new LinkedHashSet<>();
        conditions.forEach(condition -> columns.add(condition.column()));
        return columns;
    }

    /** The filter as an Iceberg expression, for scan planning (file and row-group pruning). */
    public Expression expression() {
        Expression expression = Expressions.alwaysTrue();
        for (Condition condition : conditions) {
            expression = Expressions.and(expression, condition.expression());
        }
        return expression;
    }

    /**
     * The filter as a Trino SQL predicate that selects exactly the rows {@link #predicate} selects
     * (see {@link TrinoPredicates}), for the SQL a training config hands out; {@code schema} is the
     * snapshot's, the one the filter was parsed against.
     */
    public String trinoPredicate(Schema schema) {
        return TrinoPredicates.and(conditions, schema);
    }

    /**
     * Decides a value per column (a step's row: strings, numbers, booleans, dates, instants), exactly as
     * {@link #predicate} decides a stored row; a column the row lacks is null.
     */
    public Predicate<java.util.function.Function<String, Object>> valuesPredicate() {
        return row -> {
            for (Condition condition : conditions) {
                if (!condition.test(row.apply(condition.column()))) {
                    return false;
                }
            }
            return true;
        };
    }

    /** Decides each row exactly; {@code rowSchema} describes the rows and must hold every column of {@link #columns()}. */
    public Predicate<StructLike> predicate(Schema rowSchema) {
        List<Predicate<StructLike>> tests = new ArrayList<>();
        for (Condition condition : conditions) {
            int position = position(rowSchema, condition.column());
            tests.add(row -> condition.test(row.get(position, Object.class)));
        }
        return row -> {
            for (Predicate<StructLike> test : tests) {
                if (!test.test(row)) {
                    return false;
                }
            }
            return true;
        };
    }

    private static int position(Schema schema, String column) {
        List<Types.NestedField> fields = schema.columns();
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equals(column)) {
                return i;
            }
        }
        throw new IllegalArgumentException("Row schema lacks filter column " + column);
    }

    @Override
    public String toString() {
        return text;
    }

    enum Operator {
        EQUAL("="), NOT_EQUAL("!="), LESS("<"), LESS_OR_EQUAL("<="), GREATER(">"), GREATER_OR_EQUAL(">="),
        IN("in"), NOT_IN("not in"), IS_NULL("is null"), IS_NOT_NULL("is not null"), STARTS_WITH("starts_with");

        private final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }
    }

    /** One condition; {@code values} are typed for the column (String, Integer, Long, Float, Double or Boolean). */
    record Condition(String column, Operator operator, List<Object> values) {
        Condition {
            requireNonNull(column, "column is null");
            requireNonNull(operator, "operator is null");
            values = List.copyOf(values);
        }

        Expression expression() {
            Object value = values.isEmpty() ? null : icebergLiteral(values.get(0));
            return switch (operator) {
                case EQUAL -> Expressions.equal(column, value);
                case NOT_EQUAL -> Expressions.notEqual(column, value);
                case LESS -> Expressions.lessThan(column, value);
                case LESS_OR_EQUAL -> Expressions.lessThanOrEqual(column, value);
                case GREATER -> Expressions.greaterThan(column, value);
                case GREATER_OR_EQUAL -> Expressions.greaterThanOrEqual(column, value);
                case IN -> Expressions.in(column, values.stream().map(Condition::icebergLiteral).toArray());
                case NOT_IN -> Expressions.notIn(column, values.stream().map(Condition::icebergLiteral).toArray());
                case IS_NULL -> Expressions.isNull(column);
                case IS_NOT_NULL -> Expressions.notNull(column);
                case STARTS_WITH -> Expressions.startsWith(column, (String) values.get(0));
            };
        }

        boolean test(Object value) {
            if (value == null) {
                return operator == Operator.IS_NULL;
            }
            return switch (operator) {
                case IS_NULL -> false;
                case IS_NOT_NULL -> true;
                case EQUAL -> compare(value, values.get(0)) == 0;
                case NOT_EQUAL -> compare(value, values.get(0)) != 0;
                case LESS -> compare(value, values.get(0)) < 0;
                case LESS_OR_EQUAL -> compare(value, values.get(0)) <= 0;
                case GREATER -> compare(value, values.get(0)) > 0;
                case GREATER_OR_EQUAL -> compare(value, values.get(0)) >= 0;
                case IN -> values.stream().anyMatch(literal -> compare(value, literal) == 0);
                case NOT_IN -> values.stream().noneMatch(literal -> compare(value, literal) == 0);
                case STARTS_WITH -> value.toString().startsWith((String) values.get(0));
            };
        }

        /** A literal as Iceberg's expressions take it: a date as its day number, a timestamp as its microseconds. */
        private static Object icebergLiteral(Object value) {
            if (value instanceof java.time.LocalDate date) {
                return (int) date.toEpochDay();
            }
            if (value instanceof java.time.Instant instant) {
                return java.time.temporal.ChronoUnit.MICROS.between(java.time.Instant.EPOCH, instant);
            }
            return value;
        }

        private static int compare(Object value, Object literal) {
            if (literal instanceof java.time.LocalDate date) {
                return ((java.time.LocalDate) value).compareTo(date);
            }
            if (literal instanceof java.time.Instant instant) {
                java.time.Instant row = value instanceof java.time.Instant at ? at : value instanceof java.time.OffsetDateTime offset ? offset.toInstant()
                        : ((java.time.LocalDateTime) value).toInstant(java.time.ZoneOffset.UTC);
                return row.compareTo(instant);
            }
            if (literal instanceof BigDecimal decimal) {
                return ((BigDecimal) value).compareTo(decimal);
            }
            if (literal instanceof String string) {
                return compareCodePoints(value.toString(), string);
            }
            if (literal instanceof Float f) {
                return Float.compare(((Number) value).floatValue(), f);
            }
            if (literal instanceof Double d) {
                return Double.compare(((Number) value).doubleValue(), d);
            }
            if (literal instanceof Integer i) {
                return Integer.compare(((Number) value).intValue(), i);
            }
            if (literal instanceof Long l) {
                return Long.compare(((Number) value).longValue(), l);
            }
            return Boolean.compare((Boolean) value, (Boolean) literal);
        }

        /** By code point, like Iceberg's and Parquet's string order; String.compareTo orders by UTF-16 unit. */
        private static int compareCodePoints(String left, String right) {
            int i = 0;
            int j = 0;
            while (i < left.length() && j < right.length()) {
                int a = left.codePointAt(i);
                int b = right.codePointAt(j);
                if (a != b) {
                    return Integer.compare(a, b);
                }
                i += Character.charCount(a);
                j += Character.charCount(b);
            }
            return Boolean.compare(i < left.length(), j < right.length());
        }
    }

    /** A hand-written recursive-descent parser; positions in messages are 1-based characters. */
    private static final class Parser {
        private final String text;
        private final Schema schema;
        private int position;

        Parser(String text, Schema schema) {
            this.text = text;
            this.schema = schema;
        }

        List<Condition> parse() {
            skipSpace();
            if (position == text.length()) {
                throw error("the filter is empty; write conditions such as id = 'a' and text starts_with 'The'");
            }
            List<Condition> conditions = new ArrayList<>();
            conditions.add(condition());
            while (true) {
                skipSpace();
                if (position == text.length()) {
                    return conditions;
                }
                if (!keyword("and")) {
                    throw error("expected 'and' or the end of the filter at " + where());
                }
                conditions.add(condition());
            }
        }

        private Condition condition() {
            skipSpace();
            int columnStart = position;
            String column = column();
            Types.NestedField field = schema.columns().stream().filter(top -> top.name().equals(column)).findFirst().orElse(null);
            if (field == null) {
                throw error("unknown column '" + column + "' at position " + (columnStart + 1) + "; columns: " + columnNames());
            }
            skipSpace();
            Operator operator = operator(column);
            return switch (operator) {
                case IS_NULL, IS_NOT_NULL -> new Condition(column, operator, List.of());
                case IN, NOT_IN -> new Condition(column, operator, list(field, operator));
                case STARTS_WITH -> {
                    if (!field.type().equals(Types.StringType.get())) {
                        throw error("starts_with needs a string column; '" + column + "' is " + field.type());
                    }
                    yield new Condition(column, operator, List.of(literal(field, operator)));
                }
                default -> new Condition(column, operator, List.of(literal(field, operator)));
            };
        }

        private String column() {
            if (position < text.length() && text.charAt(position) == '"') {
                int end = text.indexOf('"', position + 1);
                if (end < 0) {
                    throw error("unterminated quoted column name at position " + (position + 1));
                }
                String name = text.substring(position + 1, end);
                position = end + 1;
                return name;
            }
            int start = position;
            while (position < text.length() && isNameCharacter(text.charAt(position), position == start)) {
                position++;
            }
            if (start == position) {
                throw error("expected a column name at " + where());
            }
            return text.substring(start, position);
        }

        private Operator operator(String column) {
            if (symbol("<=")) {
                return Operator.LESS_OR_EQUAL;
            }
            if (symbol(">=")) {
                return Operator.GREATER_OR_EQUAL;
            }
            if (symbol("!=") || symbol("<>")) {
                return Operator.NOT_EQUAL;
            }
            if (symbol("=")) {
                return Operator.EQUAL;
            }
            if (symbol("<")) {
                return Operator.LESS;
            }
            if (symbol(">")) {
                return Operator.GREATER;
            }
            if (keyword("in")) {
                return Operator.IN;
            }
            if (keyword("starts_with")) {
                return Operator.STARTS_WITH;
            }
            int start = position;
            if (keyword("not")) {
                if (keyword("in")) {
                    return Operator.NOT_IN;
                }
                position = start;
            }
            if (keyword("is")) {
                if (keyword("null")) {
                    return Operator.IS_NULL;
                }
                if (keyword("not") && keyword("null")) {
                    return Operator.IS_NOT_NULL;
                }
                position = start;
            }
            throw error("expected an operator (=, !=, <, <=, >, >=, in, not in, is null, is not null, starts_with) after '"
                    + column + "' at " + where());
        }

        private List<Object> list(Types.NestedField field, Operator operator) {
            skipSpace();
            if (!symbol("(")) {
                throw error("expected '(' after " + operator.symbol + " at " + where());
            }
            List<Object> values = new ArrayList<>();
            do {
                values.add(literal(field, operator));
                skipSpace();
            } while (symbol(","));
            if (!symbol(")")) {
                throw error("expected ',' or ')' in the list at " + where());
            }
            return values;
        }

        private Object literal(Types.NestedField field, Operator operator) {
            skipSpace();
            int start = position;
            if (position == text.length()) {
                throw error("expected a literal after " + operator.symbol + " at the end of the filter");
            }
            char first = text.charAt(position);
            if (first == '\'') {
                String value = string();
                if (field.type().typeId() == Type.TypeID.DATE || field.type().typeId() == Type.TypeID.TIMESTAMP) {
                    return time(field, value, start);
                }
                if (field.type().typeId() != Type.TypeID.STRING) {
                    throw error("column '" + field.name() + "' is " + field.type() + "; compare it with "
                            + (field.type().typeId() == Type.TypeID.BOOLEAN ? "true or false" : "a number") + ", not the string at position " + (start + 1));
                }
                return value;
            }
            if (first == '-' || first == '+' || first == '.' || Character.isDigit(first)) {
                String number = number();
                return number(field, number, start);
            }
            if (keyword("true") || keyword("false")) {
                boolean value = text.regionMatches(true, start, "true", 0, 4);
                if (field.type().typeId() != Type.TypeID.BOOLEAN) {
                    throw error("column '" + field.name() + "' is " + field.type() + "; " + value + " at position " + (start + 1) + " suits only boolean columns");
                }
                return value;
            }
            throw error("expected a literal ('text', a number, true or false) at " + where());
        }

        private Object number(Types.NestedField field, String number, int start) {
            BigDecimal value;
            try {
                value = new BigDecimal(number);
            }
            catch (NumberFormatException e) {
                throw error("'" + number + "' at position " + (start + 1) + " is not a number");
            }
            String at = " at position " + (start + 1);
            try {
                return switch (field.type().typeId()) {
                    case INTEGER -> value.intValueExact();
                    case LONG -> value.longValueExact();
                    case FLOAT -> Float.parseFloat(number);
                    case DOUBLE -> Double.parseDouble(number);
                    case DECIMAL -> {
                        int scale = ((Types.DecimalType) field.type()).scale();
                        if (value.scale() > scale && value.stripTrailingZeros().scale() > scale) {
                            throw error("column '" + field.name() + "' is " + field.type() + "; " + number + at + " has more than " + scale + " digits after the point");
                        }
                        yield value.setScale(scale, java.math.RoundingMode.UNNECESSARY);
                    }
                    case STRING -> throw error("column '" + field.name() + "' is a string; quote the literal" + at + ": '" + number + "'");
                    default -> throw error("column '" + field.name() + "' is " + field.type() + " and cannot be compared with the number" + at);
                };
            }
            catch (ArithmeticException e) {
                throw error("column '" + field.name() + "' is " + field.type() + "; " + number + at + " is not a whole number in its range");
            }
        }

        private Object time(Types.NestedField field, String value, int start) {
            boolean date = field.type().typeId() == Type.TypeID.DATE;
            Optional<?> time;
            try {
                time = date ? Optional.of(java.time.LocalDate.parse(value)) : Timestamps.parse(value);
            }
            catch (java.time.format.DateTimeParseException e) {
                time = Optional.empty();
            }
            return time.orElseThrow(() -> error("column '" + field.name() + "' is " + field.type() + "; '" + value + "' at position " + (start + 1)
                    + " is not " + (date ? "a date (yyyy-mm-dd)" : "a timestamp (ISO-8601, such as 2024-03-01T12:00:00Z)")));
        }

        private String string() {
            StringBuilder value = new StringBuilder();
            int start = position;
            position++;
            while (position < text.length()) {
                char c = text.charAt(position++);
                if (c == '\'') {
                    if (position < text.length() && text.charAt(position) == '\'') {
                        value.append('\'');
                        position++;
                    }
                    else {
                        return value.toString();
                    }
                }
                else {
                    value.append(c);
                }
            }
            throw error("unterminated string starting at position " + (start + 1) + "; a quote inside a string is written ''");
        }

        private String number() {
            int start = position;
            while (position < text.length() && "+-.eE0123456789".indexOf(text.charAt(position)) >= 0) {
                position++;
            }
            return text.substring(start, position);
        }

        private boolean symbol(String symbol) {
            skipSpace();
            if (text.startsWith(symbol, position)) {
                position += symbol.length();
                return true;
            }
            return false;
        }

        /** A keyword, case-insensitive, not followed by a name character. */
        private boolean keyword(String keyword) {
            skipSpace();
            int end = position + keyword.length();
            if (text.regionMatches(true, position, keyword, 0, keyword.length())
                    && (end == text.length() || !isNameCharacter(text.charAt(end), false))) {
                position = end;
                return true;
            }
            return false;
        }

        private void skipSpace() {
            while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
                position++;
            }
        }

        private static boolean isNameCharacter(char c, boolean first) {
            return c == '_' || (c < 0x80 && Character.isLetter(c)) || (!first && c < 0x80 && Character.isDigit(c));
        }

        private String where() {
            if (position >= text.length()) {
                return "the end of the filter";
            }
            int end = Math.min(text.length(), position + 20);
            return "position " + (position + 1) + " (near \"" + text.substring(position, end) + (end < text.length() ? "..." : "") + "\")";
        }

        private String columnNames() {
            return String.join(", ", schema.columns().stream().map(Types.NestedField::name).toList());
        }

        private KilnException error(String message) {
            return new KilnException(ErrorCode.INVALID_FILTER, "Invalid filter: " + message);
        }
    }
}
