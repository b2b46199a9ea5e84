package io.kiln.transform;

import static java.util.Objects.requireNonNull;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The type of a column, in Kiln's own vocabulary: what the chain's rows hold, whatever the
 * table format. {@code lake} maps it to Iceberg types and {@code read} to Arrow types.
 *
 * <p>The Java values a row holds for each type:
 * <table>
 * <tr><th>type</th><th>value</th></tr>
 * <tr><td>string</td><td>{@link String}</td></tr>
 * <tr><td>boolean</td><td>{@link Boolean}</td></tr>
 * <tr><td>int, long</td><td>{@link Integer}, {@link Long}</td></tr>
 * <tr><td>float, double</td><td>{@link Float}, {@link Double}</td></tr>
 * <tr><td>decimal(p,s)</td><td>{@link java.math.BigDecimal} of scale s</td></tr>
 * <tr><td>date</td><td>{@link java.time.LocalDate}</td></tr>
 * <tr><td>timestamp</td><td>{@link java.time.Instant} (UTC, microseconds)</td></tr>
 * <tr><td>binary</td><td>a read-only {@link java.nio.ByteBuffer}</td></tr>
 * <tr><td>list&lt;T&gt;</td><td>{@link List} of T's values (or a {@code float[]} for a vector of floats)</td></tr>
 * <tr><td>struct&lt;...&gt;</td><td>{@link java.util.Map} from field name to value, in field order; a null value is absent</td></tr>
 * </table>
 *
 * <p>Written as text ({@link #spec()}, {@link #parse}): {@code string}, {@code boolean}, {@code int},
 * {@code long}, {@code float}, {@code double}, {@code decimal(10,2)}, {@code date}, {@code timestamp},
 * {@code binary}, {@code list<int>}, {@code struct<name:string,score:double>}.
 */
public sealed interface DataType permits DataType.Primitive, DataType.Decimal, DataType.ListOf, DataType.Struct {
    /** The most digits a decimal may have (Iceberg's and Parquet's limit). */
    int MAX_PRECISION = 38;

    DataType STRING = Primitive.STRING;
    DataType BOOLEAN = Primitive.BOOLEAN;
    DataType INT = Primitive.INT;
    DataType LONG = Primitive.LONG;
    DataType FLOAT = Primitive.FLOAT;
    DataType DOUBLE = Primitive.DOUBLE;
    DataType DATE = Primitive.DATE;
    DataType TIMESTAMP = Primitive.TIMESTAMP;
    DataType BINARY = Primitive.BINARY;

    /** The type as the JobSpec writes it. */
    String spec();

    enum Primitive implements DataType {
        STRING, BOOLEAN, INT, LONG, FLOAT, DOUBLE, DATE, TIMESTAMP, BINARY;

        @Override
        public String spec() {
            return name().toLowerCase(Locale.ROOT);
        }

        @Override
        public String toString() {
            return spec();
        }
    }

    record Decimal(int precision, int scale) implements DataType {
        public Decimal {
            if (precision < 1 || precision > MAX_PRECISION) {
                throw new IllegalArgumentException("decimal precision must be between 1 and " + MAX_PRECISION + ", was " + precision);
            }
            if (scale < 0 || scale > precision) {
                throw new IllegalArgumentException("decimal scale must be between 0 and the precision " + precision + ", was " + scale);
            }
        }

        @Override
        public String spec() {
            return "decimal(" + precision + "," + scale + ")";
        }

        @Override
        public String toString() {
            return spec();
        }
    }

    /** A list; {@code elementsRequired} when no element may be null (token ids, vectors). */
    record ListOf(DataType element, boolean elementsRequired) implements DataType {
        public ListOf {
            requireNonNull(element, "element is null");
        }

        public ListOf(DataType element) {
            this(element, false);
        }

        @Override
        public String spec() {
            return "list<" + element.spec() + ">";
        }

        @Override
        public String toString() {
            return spec();
        }
    }

    /** A struct of named fields, in order; each field a {@link Column} (name, type, whether required). */
    record Struct(List<Column> fields) implements DataType {
        public Struct {
            fields = List.copyOf(fields);
            if (fields.isEmpty()) {
                throw new IllegalArgumentException("a struct needs at least one field");
            }
            Set<String> names = new HashSet<>();
            for (Column field : fields) {
                if (!names.add(field.name())) {
                    throw new IllegalArgumentException("struct field " + field.name() + " is named twice");
                }
            }
        }

        public java.util.Optional<Column> field(String name) {
            return fields.stream().filter(field -> field.name().equals(name)).findFirst();
        }

        @Override
        public String spec() {
            StringBuilder text = new StringBuilder("struct<");
            for (int i = 0; i < fields.size(); i++) {
                Column field = fields.get(i);
                text.append(i == 0 ? "" : ",").append(field.name()).append(':').append(field.type().spec());
                if (field.required()) {
                    text.append(" not null");
                }
            }
            return text.append('>').toString();
        }

        @Override
        public String toString() {
            return spec();
        }
    }

    /** Whether a value of type {@code from} can be stored in a column of this type without loss: the same type, or int to long, float to double, a wider decimal of the same scale. */
    default boolean accepts(DataType from) {
        if (equalsIgnoringNullability(this, from)) {
            return true;
        }
        if (this == LONG && from == INT || this == DOUBLE && from == FLOAT) {
            return true;
        }
        return this instanceof Decimal wider && from instanceof Decimal narrower
                && wider.scale() == narrower.scale() && wider.precision() >= narrower.precision();
    }

    /** Two types that are the same but for whether list elements and struct fields may be null. */
    static boolean equalsIgnoringNullability(DataType a, DataType b) {
        if (a instanceof ListOf left && b instanceof ListOf right) {
            return equalsIgnoringNullability(left.element(), right.element());
        }
        if (a instanceof Struct left && b instanceof Struct right) {
            if (left.fields().size() != right.fields().size()) {
                return false;
            }
            for (int i = 0; i < left.fields().size(); i++) {
                Column l = left.fields().get(i);
                Column r = right.fields().get(i);
                if (!l.name().equals(r.name()) || !equalsIgnoringNullability(l.type(), r.type())) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    /**
     * Parses a type as the JobSpec writes it ({@link #spec()}); white space between parts is
     * allowed, names of types are case-insensitive.
     *
     * @throws IllegalArgumentException saying what is wrong, for a person
     */
    static DataType parse(String text) {
        requireNonNull(text, "text is null");
        TypeSpecParser parser = new TypeSpecParser(text);
        DataType type = parser.type();
        parser.skipSpaces();
        if (!parser.atEnd()) {
            throw parser.error("unexpected text after the type");
        }
        return type;
    }

    /** The names {@link #parse} knows, for messages. */
    static String knownTypes() {
        return "string, boolean, int, long, float, double, decimal(p,s), date, timestamp, binary, list<type>, struct<name:type,...>";
    }
}
