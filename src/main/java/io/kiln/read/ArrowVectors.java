package io.kiln.read;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;

/**
 * Iceberg types as Arrow types, and the code that puts the values of Iceberg's generic records into
 * Arrow vectors. Supported: boolean, int, long, float, double, decimal (128-bit), string, date,
 * timestamp (with or without zone, microseconds), binary, and lists and structs of any of these,
 * nested to any depth: every type of Kiln's vocabulary.
 */
final class ArrowVectors {
    static final String LIST_ELEMENT = "element";

    private ArrowVectors() {}

    /** Empty when Kiln cannot read the type into Arrow. */
    static Optional<String> unsupported(Type type) {
        if (type.isListType()) {
            return unsupported(type.asListType().elementType());
        }
        if (type.isStructType()) {
            for (Types.NestedField field : type.asStructType().fields()) {
                Optional<String> unsupported = unsupported(field.type());
                if (unsupported.isPresent()) {
                    return unsupported;
                }
            }
            return Optional.empty();
        }
        return switch (type.typeId()) {
            case BOOLEAN, INTEGER, LONG, FLOAT, DOUBLE, DECIMAL, STRING, DATE, TIMESTAMP, BINARY -> Optional.empty();
            default -> Optional.of(type.toString());
        };
    }

    static org.apache.arrow.vector.types.pojo.Schema arrowSchema(Schema schema) {
        return arrowSchema(schema, Map.of(), Map.of());
    }

    /**
     * {@code dimensions}: top-level {@code list<float>} columns whose every value has this many
     * elements (a vector), read as {@code FixedSizeList<float32>[dimension]} so that readers can
     * reshape a batch to {@code (rows, dimension)} without a copy; {@code metadata}: the schema's.
     */
    static org.apache.arrow.vector.types.pojo.Schema arrowSchema(Schema schema, Map<String, Integer> dimensions, Map<String, String> metadata) {
        List<Field> fields = new ArrayList<>();
        for (Types.NestedField column : schema.columns()) {
            Integer dimension = dimensions.get(column.name());
            if (dimension != null && isFloatList(column.type())) {
                Field element = new Field(LIST_ELEMENT, new FieldType(column.type().asListType().isElementOptional(),
                        new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE), null), null);
                fields.add(new Field(column.name(), new FieldType(column.isOptional(), new ArrowType.FixedSizeList(dimension), null), List.of(element)));
            }
            else {
                fields.add(field(column.name(), column.type(), column.isOptional()));
            }
        }
        return new org.apache.arrow.vector.types.pojo.Schema(fields, metadata.isEmpty() ? null : new TreeMap<>(metadata));
    }

    static boolean isFloatList(Type type) {
        return type.isListType() && type.asListType().elementType().typeId() == Type.TypeID.FLOAT;
    }

    private static Field field(String name, Type type, boolean nullable) {
        if (type.isListType()) {
            Types.ListType list = type.asListType();
            Field element = field(LIST_ELEMENT, list.elementType(), list.isElementOptional());
            return new Field(name, new FieldType(nullable, ArrowType.List.INSTANCE, null), List.of(element));
        }
        if (type.isStructType()) {
            List<Field> children = new ArrayList<>();
            for (Types.NestedField field : type.asStructType().fields()) {
                children.add(field(field.name(), field.type(), field.isOptional()));
            }
            return new Field(name, new FieldType(nullable, ArrowType.Struct.INSTANCE, null), children);
        }
        return new Field(name, new FieldType(nullable, arrowType(type), null), null);
    }

    private static ArrowType arrowType(Type type) {
        return switch (type.typeId()) {
            case BOOLEAN -> ArrowType.Bool.INSTANCE;
            case INTEGER -> new ArrowType.Int(32, true);
            case LONG -> new ArrowType.Int(64, true);
            case FLOAT -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
            case DOUBLE -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
            case DECIMAL -> new ArrowType.Decimal(((Types.DecimalType) type).precision(), ((Types.DecimalType) type).scale(), 128);
            case STRING -> ArrowType.Utf8.INSTANCE;
            case DATE -> new ArrowType.Date(DateUnit.DAY);
            case TIMESTAMP -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, ((Types.TimestampType) type).shouldAdjustToUTC() ? "UTC" : null);
            case BINARY -> ArrowType.Binary.INSTANCE;
            default -> throw new IllegalArgumentException("Unsupported type " + type);
        };
    }

    /** The elements of a list or fixed-size list vector. */
    static FieldVector elements(org.apache.arrow.vector.complex.BaseListVector list) {
        return list instanceof FixedSizeListVector vectors ? vectors.getDataVector() : (FieldVector) ((ListVector) list).getDataVector();
    }

    /** Sets one value of one vector; returns about how many bytes of vector memory it took. */
    abstract static class Setter {
        abstract long set(int index, Object value);
    }

    static Setter setter(FieldVector vector) {
        if (vector instanceof VarCharVector strings) {
            return new Setter() {
                @Override
                long set(int index, Object value) {
                    if (value == null) {
                        strings.setNull(index);
                        return 4;
                    }
                    byte[] bytes = value.toString().getBytes(StandardCharsets.UTF_8);
                    strings.setSafe(index, bytes);
                    return 4L + bytes.length;
                }
            };
        }
        if (vector instanceof IntVector ints) {
            return fixed(index -> ints.setNull(index), (index, value) -> ints.setSafe(index, (Integer) value), 4);
        }
        if (vector instanceof BigIntVector longs) {
            return fixed(index -> longs.setNull(index), (index, value) -> longs.setSafe(index, (Long) value), 8);
        }
        if (vector instanceof Float4Vector floats) {
            return fixed(index -> floats.setNull(index), (index, value) -> floats.setSafe(index, (Float) value), 4);
        }
        if (vector instanceof Float8Vector doubles) {
            return fixed(index -> doubles.setNull(index), (index, value) -> doubles.setSafe(index, (Double) value), 8);
        }
        if (vector instanceof BitVector booleans) {
            return fixed(index -> booleans.setNull(index), (index, value) -> booleans.setSafe(index, (Boolean) value ? 1 : 0), 1);
        }
        if (vector instanceof DateDayVector dates) {
            return fixed(index -> dates.setNull(index), (index, value) -> dates.setSafe(index, Math.toIntExact(((LocalDate) value).toEpochDay())), 4);
        }
        if (vector instanceof TimeStampMicroTZVector timestamps) {
            return fixed(index -> timestamps.setNull(index), (index, value) -> timestamps.setSafe(index, micros((OffsetDateTime) value)), 8);
        }
        if (vector instanceof TimeStampMicroVector timestamps) {
            return fixed(index -> timestamps.setNull(index), (index, value) -> timestamps.setSafe(index, micros(((LocalDateTime) value).atOffset(ZoneOffset.UTC))), 8);
        }
        if (vector instanceof VarBinaryVector binaries) {
            return new Setter() {
                @Override
                long set(int index, Object value) {
                    if (value == null) {
                        binaries.setNull(index);
                        return 4;
                    }
                    ByteBuffer buffer = ((ByteBuffer) value).duplicate();
                    binaries.setSafe(index, buffer, buffer.position(), buffer.remaining());
                    return 4L + buffer.remaining();
                }
            };
        }
        if (vector instanceof DecimalVector decimals) {
            return fixed(index -> decimals.setNull(index), (index, value) -> decimals.setSafe(index, (java.math.BigDecimal) value), 16);
        }
        if (vector instanceof StructVector struct) {
            List<Setter> children = new ArrayList<>();
            for (FieldVector child : struct.getChildrenFromFields()) {
                children.add(setter(child));
            }
            return new Setter() {
                @Override
                long set(int index, Object value) {
                    if (value == null) {
                        struct.setNull(index);
                        for (Setter child : children) {
                            child.set(index, null);
                        }
                        return 1;
                    }
                    org.apache.iceberg.StructLike record = (org.apache.iceberg.StructLike) value;
                    struct.setIndexDefined(index);
                    long bytes = 1;
                    for (int i = 0; i < children.size(); i++) {
                        bytes += children.get(i).set(index, record.get(i, Object.class));
                    }
                    return bytes;
                }
            };
        }
        if (vector instanceof FixedSizeListVector vectors) {
            Setter elements = setter(vectors.getDataVector());
            int dimension = vectors.getListSize();
            return new Setter() {
                @Override
                long set(int index, Object value) {
                    if (value == null) {
                        vectors.setNull(index);
                        return 1;
                    }
                    List<?> values = (List<?>) value;
                    if (values.size() != dimension) {
                        throw new KilnException(ErrorCode.EXPORT_FAILED, "Column " + vectors.getName() + " is a vector of " + dimension
                                + " floats (its table's kiln.column." + vectors.getName() + ".dimension), but a row holds " + values.size());
                    }
                    int offset = vectors.startNewValue(index);
                    long bytes = 1;
                    for (int i = 0; i < dimension; i++) {
                        bytes += elements.set(offset + i, values.get(i));
                    }
                    return bytes;
                }
            };
        }
        if (vector instanceof ListVector list) {
            Setter elements = setter((FieldVector) list.getDataVector());
            return new Setter() {
                @Override
                long set(int index, Object value) {
                    if (value == null) {
                        list.setNull(index);
                        return 4;
                    }
                    List<?> values = (List<?>) value;
                    int offset = list.startNewValue(index);
                    long bytes = 4;
                    for (int i = 0; i < values.size(); i++) {
                        bytes += elements.set(offset + i, values.get(i));
                    }
                    list.endValue(index, values.size());
                    return bytes;
                }
            };
        }
        throw new IllegalArgumentException("No setter for vector " + vector.getField());
    }

    private static long micros(OffsetDateTime timestamp) {
        return ChronoUnit.MICROS.between(OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC), timestamp);
    }

    private interface NullSetter {
        void setNull(int index);
    }

    private interface ValueSetter {
        void set(int index, Object value);
    }

    private static Setter fixed(NullSetter nulls, ValueSetter values, long width) {
        return new Setter() {
            @Override
            long set(int index, Object value) {
                if (value == null) {
                    nulls.setNull(index);
                }
                else {
                    values.set(index, value);
                }
                return width;
            }
        };
    }
}
