package io.kiln.read;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.complex.BaseListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SchemaParser;
import org.apache.iceberg.parquet.ParquetSchemaUtil;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;

/**
 * Parquet from Arrow vectors: a parquet-mr {@link WriteSupport} that reads each row straight from
 * the batch's vectors, so Parquet exports go through the same read path as JSONL and Arrow (no
 * second read into Iceberg records). The file schema is Iceberg's Parquet schema of the exported
 * columns (field ids, three-level lists) and the footer carries {@code iceberg.schema}. zstd, v1
 * pages, dictionaries: Iceberg's own defaults. Nothing in the file depends on time or place, so the
 * same rows give the same bytes (parquet-mr writes its version in {@code created_by}).
 */
final class ParquetRowWriter implements RowWriter {
    static final long ROW_GROUP_BYTES = 64L << 20;

    private final VectorWriteSupport support;
    private final ParquetWriter<Integer> writer;

    /**
     * {@code arrowSchema}: the batches' schema; its metadata goes into the footer, and so does the
     * schema itself as {@code ARROW:schema} (base64 of the IPC message, as Arrow's own writers store
     * it), so Arrow readers get its exact types back, such as a vector's fixed size.
     */
    ParquetRowWriter(Schema schema, org.apache.arrow.vector.types.pojo.Schema arrowSchema, OutputStream out) throws IOException {
        MessageType type = ParquetSchemaUtil.convert(schema, "table");
        Map<String, String> metadata = new TreeMap<>();
        if (arrowSchema.getCustomMetadata() != null) {
            metadata.putAll(arrowSchema.getCustomMetadata());
        }
        metadata.put("iceberg.schema", SchemaParser.toJson(schema));
        metadata.put(ARROW_SCHEMA, serialized(arrowSchema));
        this.support = new VectorWriteSupport(type, metadata);
        this.writer = new Builder(new StreamOutputFile(out), support)
                .withConf(new Configuration(false))
                .withCompressionCodec(CompressionCodecName.ZSTD)
                .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_1_0)
                .withRowGroupSize(ROW_GROUP_BYTES)
                .withDictionaryEncoding(true)
                .withValidation(false)
                .build();
    }

    static final String ARROW_SCHEMA = "ARROW:schema";

    /** The schema as an encapsulated IPC message in base64: what Arrow's C++ Parquet writer stores under {@code ARROW:schema}. */
    static String serialized(org.apache.arrow.vector.types.pojo.Schema arrowSchema) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        MessageSerializer.serialize(new WriteChannel(Channels.newChannel(bytes)), arrowSchema);
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    @Override
    public void write(VectorSchemaRoot batch) throws IOException {
        support.batch(batch);
        int rows = batch.getRowCount();
        for (int row = 0; row < rows; row++) {
            writer.write(row);
        }
    }

    @Override
    public long bytes() {
        return writer.getDataSize();
    }

    @Override
    public void finish() throws IOException {
        writer.close();
    }

    private static final class Builder extends ParquetWriter.Builder<Integer, Builder> {
        private final VectorWriteSupport support;

        Builder(OutputFile file, VectorWriteSupport support) {
            super(file);
            this.support = support;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<Integer> getWriteSupport(Configuration conf) {
            return support;
        }
    }

    /** Writes row {@code i} of the current batch. */
    private static final class VectorWriteSupport extends WriteSupport<Integer> {
        private final MessageType type;
        private final Map<String, String> metadata;
        private RecordConsumer consumer;
        private VectorSchemaRoot batch;
        private final List<ColumnWriter> columns = new ArrayList<>();

        VectorWriteSupport(MessageType type, Map<String, String> metadata) {
            this.type = type;
            this.metadata = metadata;
        }

        void batch(VectorSchemaRoot batch) {
            if (this.batch != batch) {
                this.batch = batch;
                columns.clear();
                List<FieldVector> vectors = batch.getFieldVectors();
                for (int i = 0; i < vectors.size(); i++) {
                    columns.add(new ColumnWriter(type.getType(i).getName(), i, value(vectors.get(i), type.getType(i))));
                }
            }
        }

        @Override
        public WriteContext init(Configuration configuration) {
            return new WriteContext(type, new HashMap<>(metadata));
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            this.consumer = recordConsumer;
        }

        @Override
        public void write(Integer row) {
            consumer.startMessage();
            for (ColumnWriter column : columns) {
                column.write(consumer, row);
            }
            consumer.endMessage();
        }

        private record ColumnWriter(String name, int index, ValueWriter value) {
            void write(RecordConsumer consumer, int row) {
                if (!value.isNull(row)) {
                    consumer.startField(name, index);
                    value.write(consumer, row);
                    consumer.endField(name, index);
                }
            }
        }
    }

    private interface ValueWriter {
        boolean isNull(int index);

        void write(RecordConsumer consumer, int index);
    }

    private interface Write {
        void write(RecordConsumer consumer, int index);
    }

    private static ValueWriter of(FieldVector vector, Write write) {
        return new ValueWriter() {
            @Override
            public boolean isNull(int index) {
                return vector.isNull(index);
            }

            @Override
            public void write(RecordConsumer consumer, int index) {
                write.write(consumer, index);
            }
        };
    }

    private static ValueWriter value(FieldVector vector, org.apache.parquet.schema.Type type) {
        if (vector instanceof VarCharVector strings) {
            // a fresh array per value: parquet-mr keeps references for dictionaries and statistics
            return of(vector, (consumer, index) -> consumer.addBinary(Binary.fromConstantByteArray(strings.get(index))));
        }
        if (vector instanceof VarBinaryVector binaries) {
            return of(vector, (consumer, index) -> consumer.addBinary(Binary.fromConstantByteArray(binaries.get(index))));
        }
        if (vector instanceof IntVector ints) {
            return of(vector, (consumer, index) -> consumer.addInteger(ints.get(index)));
        }
        if (vector instanceof DateDayVector dates) {
            return of(vector, (consumer, index) -> consumer.addInteger(dates.get(index)));
        }
        if (vector instanceof BigIntVector longs) {
            return of(vector, (consumer, index) -> consumer.addLong(longs.get(index)));
        }
        if (vector instanceof TimeStampVector timestamps) {
            return of(vector, (consumer, index) -> consumer.addLong(timestamps.get(index)));
        }
        if (vector instanceof Float4Vector floats) {
            return of(vector, (consumer, index) -> consumer.addFloat(floats.get(index)));
        }
        if (vector instanceof Float8Vector doubles) {
            return of(vector, (consumer, index) -> consumer.addDouble(doubles.get(index)));
        }
        if (vector instanceof BitVector booleans) {
            return of(vector, (consumer, index) -> consumer.addBoolean(booleans.get(index) == 1));
        }
        if (vector instanceof DecimalVector decimals) {
            // as Iceberg writes decimals: int32 up to 9 digits, int64 up to 18, else the two's complement in a fixed-length array
            org.apache.parquet.schema.PrimitiveType primitive = type.asPrimitiveType();
            return switch (primitive.getPrimitiveTypeName()) {
                case INT32 -> of(vector, (consumer, index) -> consumer.addInteger(decimals.getObject(index).unscaledValue().intValueExact()));
                case INT64 -> of(vector, (consumer, index) -> consumer.addLong(decimals.getObject(index).unscaledValue().longValueExact()));
                default -> {
                    int length = primitive.getTypeLength();
                    yield of(vector, (consumer, index) -> consumer.addBinary(Binary.fromConstantByteArray(twosComplement(decimals.getObject(index), length))));
                }
            };
        }
        if (vector instanceof StructVector struct) {
            GroupType group = type.asGroupType();
            List<FieldVector> children = struct.getChildrenFromFields();
            List<ValueWriter> fields = new ArrayList<>(children.size());
            for (int i = 0; i < children.size(); i++) {
                fields.add(value(children.get(i), group.getType(i)));
            }
            return of(vector, (consumer, index) -> {
                consumer.startGroup();
                for (int i = 0; i < fields.size(); i++) {
                    if (!fields.get(i).isNull(index)) {
                        String name = group.getType(i).getName();
                        consumer.startField(name, i);
                        fields.get(i).write(consumer, index);
                        consumer.endField(name, i);
                    }
                }
                consumer.endGroup();
            });
        }
        if (vector instanceof BaseListVector list) {
            // <name> (LIST) { repeated group <repeated> { <element> } }; a vector (FixedSizeList) too: the footer's
            // ARROW:schema and kiln.column.<name>.dimension keep its size
            GroupType repeated = type.asGroupType().getType(0).asGroupType();
            String repeatedName = repeated.getName();
            String elementName = repeated.getType(0).getName();
            ValueWriter element = value(ArrowVectors.elements(list), repeated.getType(0));
            return of(vector, (consumer, index) -> {
                consumer.startGroup();
                int start = list.getElementStartIndex(index);
                int end = list.getElementEndIndex(index);
                if (end > start) {
                    consumer.startField(repeatedName, 0);
                    for (int i = start; i < end; i++) {
                        consumer.startGroup();
                        if (!element.isNull(i)) {
                            consumer.startField(elementName, 0);
                            element.write(consumer, i);
                            consumer.endField(elementName, 0);
                        }
                        consumer.endGroup();
                    }
                    consumer.endField(repeatedName, 0);
                }
                consumer.endGroup();
            });
        }
        throw new IllegalArgumentException("No Parquet writer for vector " + vector.getField());
    }

    /** A decimal's unscaled value as big-endian two's complement of exactly {@code length} bytes, sign-extended. */
    private static byte[] twosComplement(java.math.BigDecimal value, int length) {
        byte[] unscaled = value.unscaledValue().toByteArray();
        byte[] bytes = new byte[length];
        byte fill = (byte) (unscaled[0] < 0 ? 0xFF : 0x00);
        java.util.Arrays.fill(bytes, 0, length - unscaled.length, fill);
        System.arraycopy(unscaled, 0, bytes, length - unscaled.length, unscaled.length);
        return bytes;
    }

    /** The caller's stream as a Parquet output file; closing it only flushes. */
    private static final class StreamOutputFile implements OutputFile {
        private final OutputStream out;

        StreamOutputFile(OutputStream out) {
            this.out = out;
        }

        @Override
        public PositionOutputStream create(long blockSizeHint) {
            return new PositionOutputStream() {
                private long position;

                @Override
                public long getPos() {
                    return position;
                }

                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                    position++;
                }

                @Override
                public void write(byte[] bytes, int offset, int length) throws IOException {
                    out.write(bytes, offset, length);
                    position += length;
                }

                @Override
                public void flush() throws IOException {
                    out.flush();
                }

                @Override
                public void close() throws IOException {
                    out.flush();
                }
            };
        }

        @Override
        public PositionOutputStream createOrOverwrite(long blockSizeHint) {
            return create(blockSizeHint);
        }

        @Override
        public boolean supportsBlockSize() {
            return false;
        }

        @Override
        public long defaultBlockSize() {
            return 0;
        }
    }
}
