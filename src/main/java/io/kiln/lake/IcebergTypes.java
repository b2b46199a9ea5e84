package io.kiln.lake;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;

import io.kiln.transform.Column;
import io.kiln.transform.DataType;

/**
 * Kiln's column types as Iceberg types and back, and row values as the values Iceberg's generic
 * writers take. The only place that knows both vocabularies.
 *
 * <table>
 * <tr><th>Kiln</th><th>Iceberg</th></tr>
 * <tr><td>string, boolean, int, long, float, double, date, binary</td><td>the same</td></tr>
 * <tr><td>decimal(p,s)</td><td>decimal(p,s)</td></tr>
 * <tr><td>timestamp</td><td>timestamptz (microseconds, UTC)</td></tr>
 * <tr><td>list&lt;T&gt;, struct&lt;...&gt;</td><td>list, struct</td></tr>
 * </table>
 */
public final class IcebergTypes {
    private IcebergTypes() {}

    /** A schema of {@code columns} in order, with fresh field ids from 1. */
    public static Schema schema(List<Column> columns) {
        AtomicInteger ids = new AtomicInteger();
        List<Types.NestedField> fields = new ArrayList<>(columns.size());
        for (Column column : columns) {
            fields.add(field(ids.incrementAndGet(), column, ids));
        }
        Schema placeholder = new Schema(fields);
        return TypeUtil.assignFreshIds(placeholder, new AtomicInteger()::incrementAndGet);
    }

    private static Types.NestedField field(int id, Column column, AtomicInteger ids) {
        Type type = toIceberg(column.type(), ids);
        String doc = column.doc().isEmpty() ? null : column.doc();
        return column.required() ? Types.NestedField.required(id, column.name(), type, doc) : Types.NestedField.optional(id, column.name(), type, doc);
    }

    /** The Iceberg type; nested field ids are placeholders, which a table assigns when the type joins its schema. */
    public static Type toIceberg(DataType type) {
        AtomicInteger ids = new AtomicInteger(1000);
        return toIceberg(type, ids);
    }

    private static Type toIceberg(DataType type, AtomicInteger ids) {
        if (type instanceof DataType.Primitive primitive) {
            return switch (primitive) {
                case STRING -> Types.StringType.get();
                case BOOLEAN -> Types.BooleanType.get();
                case INT -> Types.IntegerType.get();
                case LONG -> Types.LongType.get();
                case FLOAT -> Types.FloatType.get();
                case DOUBLE -> Types.DoubleType.get();
                case DATE -> Types.DateType.get();
                case TIMESTAMP -> Types.TimestampType.withZone();
                case BINARY -> Types.BinaryType.get();
            };
        }
        if (type instanceof DataType.Decimal decimal) {
            return Types.DecimalType.of(decimal.precision(), decimal.scale());
        }
        if (type instanceof DataType.ListOf list) {
            Type element = toIceberg(list.element(), ids);
            int id = ids.incrementAndGet();
            return list.elementsRequired() ? Types.ListType.ofRequired(id, element) : Types.ListType.ofOptional(id, element);
        }
        DataType.Struct struct = (DataType.Struct) type;
        List<Types.NestedField> fields = new ArrayList<>();
        for (Column column : struct.fields()) {
            fields.add(field(ids.incrementAndGet(), column, ids));
        }
        return Types.StructType.of(fields);
    }

    /** Kiln's type of an Iceberg column; a type outside Kiln's vocabulary (uuid, time, map...) is an {@link IllegalArgumentException}. */
    public static DataType fromIceberg(Type type) {
        switch (type.typeId()) {
            case STRING:
                return DataType.STRING;
            case BOOLEAN:
                return DataType.BOOLEAN;
            case INTEGER:
                return DataType.INT;
            case LONG:
                return DataType.LONG;
            case FLOAT:
                return DataType.FLOAT;
            case DOUBLE:
                return DataType.DOUBLE;
            case DATE:
                return DataType.DATE;
            case TIMESTAMP:
                if (((Types.TimestampType) type).shouldAdjustToUTC()) {
                    return DataType.TIMESTAMP;
                }
                break;
            case BINARY:
                return DataType.BINARY;
            case DECIMAL:
                Types.DecimalType decimal = (Types.DecimalType) type;
                return new DataType.Decimal(decimal.precision(), decimal.scale());
            case LIST:
                Types.ListType list = type.asListType();
                return new DataType.ListOf(fromIceberg(list.elementType()), list.isElementRequired());
            case STRUCT:
                List<Column> fields = new ArrayList<>();
                for (Types.NestedField field : type.asStructType().fields()) {
                    fields.add(column(field));
                }
                return new DataType.Struct(fields);
            default:
                break;
        }
        throw new IllegalArgumentException("Kiln has no type for Iceberg's " + type);
    }

    /** Kiln's column of an Iceberg field. */
    public static Column column(Types.NestedField field) {
        return new Column(field.name(), fromIceberg(field.type()), field.isRequired(), field.doc() == null ? "" : field.doc());
    }

    /**
     * A function from a row value to what Iceberg's writers of its internal object model take for a column of
     * {@code type} ({@code InternalWriter}, {@link org.apache.iceberg.types.Type.TypeID#javaClass()}): widened where the
     * table's type is wider (int to long, float to double), dates as their epoch day, timestamps as microseconds from
     * the epoch (those of Iceberg's generic writers: {@code ChronoUnit.MICROS.between(EPOCH, t)}, which truncates toward
     * zero), structs as records, vectors as list views.
     */
    public static Function<Object, Object> writer(Type type) {
        switch (type.typeId()) {
            case LONG:
                return value -> value instanceof Integer number ? Long.valueOf(number) : value;
            case DOUBLE:
                return value -> value instanceof Float number ? Double.valueOf(number) : value;
            case DECIMAL: {
                int scale = ((Types.DecimalType) type).scale();
                return value -> value == null ? null : ((BigDecimal) value).setScale(scale, RoundingMode.UNNECESSARY);
            }
            case DATE:
                return value -> value instanceof LocalDate date ? Integer.valueOf(Math.toIntExact(date.toEpochDay())) : value;
            case TIMESTAMP:
                // the same for a table's timestamp without a zone: Kiln's instants are written as UTC
                return value -> value instanceof Instant instant ? Long.valueOf(micros(instant)) : value;
            case BINARY:
                return value -> value instanceof ByteBuffer bytes ? bytes.duplicate() : value;
            case LIST: {
                Function<Object, Object> element = writer(type.asListType().elementType());
                return value -> {
                    if (value == null) {
                        return null;
                    }
                    if (value instanceof float[] vector) {
                        return floats(vector, element);
                    }
                    List<?> list = (List<?>) value;
                    return new AbstractList<Object>() {
                        @Override
                        public Object get(int index) {
                            return element.apply(list.get(index));
                        }

                        @Override
                        public int size() {
                            return list.size();
                        }
                    };
                };
            }
            case STRUCT: {
                Types.StructType struct = type.asStructType();
                List<Types.NestedField> fields = struct.fields();
                List<Function<Object, Object>> writers = new ArrayList<>(fields.size());
                fields.forEach(field -> writers.add(writer(field.type())));
                // copies of one empty record: GenericRecord.create looks the struct up in a shared cache on every call,
                // whose upkeep wakes threads of the common pool (about 3 % of a job with a struct column)
                GenericRecord empty = GenericRecord.create(struct);
                return value -> {
                    if (value == null) {
                        return null;
                    }
                    Map<?, ?> map = (Map<?, ?>) value;
                    GenericRecord record = empty.copy();
                    for (int i = 0; i < fields.size(); i++) {
                        record.set(i, writers.get(i).apply(map.get(fields.get(i).name())));
                    }
                    return record;
                };
            }
            default:
                return value -> value;
        }
    }

    /**
     * An instant's microseconds from the epoch as {@code ChronoUnit.MICROS.between(EPOCH, t)} gives them in Iceberg's
     * generic writers: truncated toward zero, so an instant before the epoch with a part of a microsecond is one
     * microsecond after its floor.
     */
    static long micros(Instant instant) {
        long seconds = instant.getEpochSecond();
        int nanos = instant.getNano();
        long micros = Math.addExact(Math.multiplyExact(seconds, 1_000_000L), nanos / 1000);
        return seconds < 0 && nanos % 1000 != 0 ? micros + 1 : micros;
    }

    /** A view of a vector: the Parquet writer reads each element once, no copy of the vector is needed. */
    private static List<Object> floats(float[] vector, Function<Object, Object> element) {
        return new AbstractList<>() {
            @Override
            public Object get(int index) {
                return element.apply(vector[index]);
            }

            @Override
            public int size() {
                return vector.length;
            }
        };
    }

    /** Kiln's type of an Iceberg type; empty for a type outside Kiln's vocabulary. */
    public static Optional<DataType> kilnType(Type type) {
        try {
            return Optional.of(fromIceberg(type));
        }
        catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
