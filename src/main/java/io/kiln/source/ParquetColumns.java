package io.kiln.source;

import java.io.Closeable;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.Dictionary;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * The rows of a Parquet file whose read columns are all top-level, non-repeated primitives, read with
 * Parquet's column readers one row group at a time, each value made once in the vocabulary of row values
 * ({@link ParquetReader}'s {@code plain}): the same values Iceberg's generic reader gives after that
 * conversion, without a record per row and a reader per value. A dictionary-encoded column makes each of
 * its dictionary's values once per row group, so a category repeated on every row is decoded once.
 *
 * <p>It takes these column types, each decoded as Iceberg's generic reader decodes it: booleans, signed
 * integers, floats, doubles, strings (UTF-8, enum or JSON), binary and fixed binary, dates, timestamps in
 * milliseconds or microseconds (with or without a zone) and decimals. A file with any other read column
 * (a list, map, struct, UUID, time, BSON, INT96 timestamp, unsigned integer...) is read by
 * {@link ParquetReader}'s generic path instead ({@link #of} gives nothing).
 */
final class ParquetColumns implements Closeable {
    private final ParquetFileReader reader;
    private final MessageType projection;
    private final String createdBy;
    private final ColumnDescriptor[] descriptors;
    private final Slot[] slots;
    private final int[] definedAt;
    private final ColumnReader[] columns;
    private long left;

    private ParquetColumns(ParquetFileReader reader, MessageType projection, Slot[] slots) {
        this.reader = reader;
        this.projection = projection;
        this.createdBy = reader.getFileMetaData().getCreatedBy();
        this.slots = slots;
        this.descriptors = projection.getColumns().toArray(new ColumnDescriptor[0]);
        this.definedAt = new int[descriptors.length];
        for (int i = 0; i < descriptors.length; i++) {
            definedAt[i] = descriptors[i].getMaxDefinitionLevel();
        }
        this.columns = new ColumnReader[descriptors.length];
        reader.setRequestedSchema(projection);
    }

    /**
     * The columns {@code names} of the file {@code reader} has open (its footer read, no row group yet), in that order,
     * when each is a top-level primitive of a type this class reads; empty otherwise. When present, it reads the file
     * on and closes the reader; when empty, the reader stays the caller's, as it was.
     */
    static Optional<ParquetColumns> of(ParquetFileReader reader, List<String> names) {
        MessageType schema = reader.getFileMetaData().getSchema();
        List<Type> fields = new ArrayList<>(names.size());
        Slot[] slots = new Slot[names.size()];
        for (int i = 0; i < names.size(); i++) {
            if (!schema.containsField(names.get(i))) {
                return Optional.empty();
            }
            Type field = schema.getType(names.get(i));
            Slot slot = field.isPrimitive() && !field.isRepetition(Type.Repetition.REPEATED) ? slot(field.asPrimitiveType()) : null;
            if (slot == null) {
                return Optional.empty();
            }
            fields.add(field);
            slots[i] = slot;
        }
        return Optional.of(new ParquetColumns(reader, new MessageType(schema.getName(), fields), slots));
    }

    /** The slot that makes a column's values, or null for a type this class leaves to Iceberg's reader. */
    private static Slot slot(PrimitiveType type) {
        LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
        PrimitiveType.PrimitiveTypeName physical = type.getPrimitiveTypeName();
        if (logical == null) {
            switch (physical) {
                case BOOLEAN:
                    return new BooleanSlot();
                case INT32:
                case INT64:
                case FLOAT:
                case DOUBLE:
                    return new NumberSlot(physical);
                case BINARY:
                case FIXED_LEN_BYTE_ARRAY:
                    return new BytesSlot();
                default:
                    return null;
            }
        }
        if (logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                || logical instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
                || logical instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation) {
            return physical == PrimitiveType.PrimitiveTypeName.BINARY ? new StringSlot() : null;
        }
        if (logical instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation integer && integer.isSigned()) {
            boolean fits = physical == PrimitiveType.PrimitiveTypeName.INT32 && integer.getBitWidth() <= 32
                    || physical == PrimitiveType.PrimitiveTypeName.INT64 && integer.getBitWidth() == 64;
            return fits ? new NumberSlot(physical) : null;
        }
        if (logical instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation) {
            return physical == PrimitiveType.PrimitiveTypeName.INT32 ? new DateSlot() : null;
        }
        if (logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation timestamp && physical == PrimitiveType.PrimitiveTypeName.INT64) {
            switch (timestamp.getUnit()) {
                case MILLIS:
                    return new TimestampSlot(1_000);
                case MICROS:
                    return new TimestampSlot(1);
                default:
                    return null;
            }
        }
        if (logical instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation decimal) {
            return switch (physical) {
                case INT32, INT64, BINARY, FIXED_LEN_BYTE_ARRAY -> new DecimalSlot(physical, decimal.getScale());
                default -> null;
            };
        }
        return null;
    }

    /** The next row's values in the order of the names {@link #of} was given (null for a null), or null after the last row. */
    Object[] next() throws IOException {
        while (left == 0) {
            PageReadStore rowGroup = reader.readNextRowGroup();
            if (rowGroup == null) {
                return null;
            }
            left = rowGroup.getRowCount();
            if (left > 0) {
                ColumnReadStoreImpl store = new ColumnReadStoreImpl(rowGroup, new Slots(slots), projection, createdBy);
                for (int i = 0; i < descriptors.length; i++) {
                    columns[i] = store.getColumnReader(descriptors[i]);
                }
            }
        }
        Object[] row = new Object[columns.length];
        for (int i = 0; i < columns.length; i++) {
            ColumnReader column = columns[i];
            if (column.getCurrentDefinitionLevel() == definedAt[i]) {
                column.writeCurrentValueToConverter();
                row[i] = slots[i].value;
            }
            column.consume();
        }
        left--;
        return row;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }

    /** The record's converter: one slot per top-level column. */
    private static final class Slots extends GroupConverter {
        private final Slot[] slots;

        Slots(Slot[] slots) {
            this.slots = slots;
        }

        @Override
        public Converter getConverter(int fieldIndex) {
            return slots[fieldIndex];
        }

        @Override
        public void start() {
        }

        @Override
        public void end() {
        }
    }

    /** A column's converter, holding the value last written to it. */
    private abstract static class Slot extends PrimitiveConverter {
        Object value;
    }

    /**
     * A slot whose values are made once per dictionary entry: each of a dictionary-encoded page's values is the
     * entry's value, the same immutable object on every row that has it.
     */
    private abstract static class DictionarySlot extends Slot {
        private Object[] entries;

        @Override
        public boolean hasDictionarySupport() {
            return true;
        }

        @Override
        public void setDictionary(Dictionary dictionary) {
            entries = new Object[dictionary.getMaxId() + 1];
            for (int id = 0; id < entries.length; id++) {
                entries[id] = entry(dictionary, id);
            }
        }

        abstract Object entry(Dictionary dictionary, int id);

        @Override
        public void addValueFromDictionary(int dictionaryId) {
            value = entries[dictionaryId];
        }
    }

    private static final class BooleanSlot extends Slot {
        @Override
        public void addBoolean(boolean flag) {
            value = flag;
        }
    }

    /** INT32, INT64, FLOAT or DOUBLE values as their boxes (Parquet calls the one add method of the column's type). */
    private static final class NumberSlot extends DictionarySlot {
        private final PrimitiveType.PrimitiveTypeName physical;

        NumberSlot(PrimitiveType.PrimitiveTypeName physical) {
            this.physical = physical;
        }

        @Override
        Object entry(Dictionary dictionary, int id) {
            return switch (physical) {
                case INT32 -> dictionary.decodeToInt(id);
                case INT64 -> dictionary.decodeToLong(id);
                case FLOAT -> dictionary.decodeToFloat(id);
                default -> dictionary.decodeToDouble(id);
            };
        }

        @Override
        public void addInt(int number) {
            value = number;
        }

        @Override
        public void addLong(long number) {
            value = number;
        }

        @Override
        public void addFloat(float number) {
            value = number;
        }

        @Override
        public void addDouble(double number) {
            value = number;
        }
    }

    private static final class StringSlot extends DictionarySlot {
        @Override
        Object entry(Dictionary dictionary, int id) {
            return dictionary.decodeToBinary(id).toStringUsingUTF8();
        }

        @Override
        public void addBinary(Binary text) {
            value = text.toStringUsingUTF8();
        }
    }

    /** Binary values as buffers of their own bytes (a buffer is not shared between rows, so no dictionary). */
    private static final class BytesSlot extends Slot {
        @Override
        public void addBinary(Binary bytes) {
            value = ByteBuffer.wrap(bytes.getBytes());
        }
    }

    /** Days since 1970-01-01. */
    private static final class DateSlot extends DictionarySlot {
        @Override
        Object entry(Dictionary dictionary, int id) {
            return LocalDate.ofEpochDay(dictionary.decodeToInt(id));
        }

        @Override
        public void addInt(int days) {
            value = LocalDate.ofEpochDay(days);
        }
    }

    /** Milliseconds or microseconds since 1970-01-01T00:00Z, as an instant. */
    private static final class TimestampSlot extends DictionarySlot {
        private final long microsPerUnit;

        TimestampSlot(long microsPerUnit) {
            this.microsPerUnit = microsPerUnit;
        }

        @Override
        Object entry(Dictionary dictionary, int id) {
            return instant(dictionary.decodeToLong(id));
        }

        @Override
        public void addLong(long units) {
            value = instant(units);
        }

        private Instant instant(long units) {
            long micros = Math.multiplyExact(units, microsPerUnit);
            return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
        }
    }

    /** An unscaled whole number (INT32, INT64 or big-endian two's complement bytes) and the column's scale. */
    private static final class DecimalSlot extends DictionarySlot {
        private final PrimitiveType.PrimitiveTypeName physical;
        private final int scale;

        DecimalSlot(PrimitiveType.PrimitiveTypeName physical, int scale) {
            this.physical = physical;
            this.scale = scale;
        }

        @Override
        Object entry(Dictionary dictionary, int id) {
            return switch (physical) {
                case INT32 -> BigDecimal.valueOf(dictionary.decodeToInt(id), scale);
                case INT64 -> BigDecimal.valueOf(dictionary.decodeToLong(id), scale);
                default -> decimal(dictionary.decodeToBinary(id));
            };
        }

        @Override
        public void addInt(int unscaled) {
            value = BigDecimal.valueOf(unscaled, scale);
        }

        @Override
        public void addLong(long unscaled) {
            value = BigDecimal.valueOf(unscaled, scale);
        }

        @Override
        public void addBinary(Binary unscaled) {
            value = decimal(unscaled);
        }

        private BigDecimal decimal(Binary unscaled) {
            return new BigDecimal(new BigInteger(unscaled.getBytes()), scale);
        }
    }
}
