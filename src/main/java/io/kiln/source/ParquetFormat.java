package io.kiln.source;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

import org.apache.iceberg.Schema;
import org.apache.iceberg.parquet.ParquetSchemaUtil;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.schema.MessageType;

import io.kiln.lake.IcebergTypes;
import io.kiln.transform.Column;
import io.kiln.transform.DataType;

/**
 * {@code parquet}: Parquet files read into typed rows ({@link ParquetReader}) row group by row
 * group. Parquet's types map to Kiln's as Iceberg maps them (Iceberg's reader does the decoding);
 * besides, a map becomes a list of {@code struct<key, value>}, a UUID a string, a fixed-length
 * binary a binary. Inferring a schema reads the first file's footer only.
 */
final class ParquetFormat implements SourceFormat {
    @Override
    public String specName() {
        return "parquet";
    }

    @Override
    public Typing typing() {
        return Typing.TYPED;
    }

    @Override
    public RecordReader open(InputFile file, String sha256, ReadOptions options, LongConsumer bytesRead) throws IOException {
        RecordSchema schema = options.schema().orElseThrow(() -> new IllegalArgumentException("parquet needs a schema"));
        return new ParquetReader(file, schema, sha256, bytesRead);
    }

    @Override
    public Map<String, Object> recipe(ReadOptions options) {
        Map<String, Object> recipe = new LinkedHashMap<>();
        recipe.put("format", specName());
        options.schema().ifPresent(schema -> recipe.put("schema", schema.recipe()));
        return recipe;
    }

    /** The columns of the first file's footer, in file order; field names become column names by {@link SchemaInference#columnName}. */
    @Override
    public List<RecordSchema.Field> infer(List<InputFile> files, ReadOptions options, int records) throws IOException {
        String idField = options.schema().flatMap(RecordSchema::idField).orElse(null);
        Schema schema = fileSchema(files.get(0));
        List<RecordSchema.Field> fields = new ArrayList<>();
        Map<String, String> names = new LinkedHashMap<>();
        for (Types.NestedField field : schema.columns()) {
            if (field.name().equals(idField)) {
                continue;
            }
            String name = SchemaInference.columnName(field.name());
            String clash = names.putIfAbsent(name, field.name());
            if (clash != null) {
                throw new SourceException("cannot have its schema inferred: fields '" + clash + "' and '" + field.name() + "' both become column "
                        + name + " (declare source.schema)");
            }
            fields.add(new RecordSchema.Field(new Column(name, kilnType(field.type()), false, ""), field.name()));
        }
        if (fields.isEmpty()) {
            throw new SourceException("gives no schema to infer: the Parquet file has no columns besides the id");
        }
        return fields;
    }

    /** The Iceberg schema of a Parquet file's footer (field ids from the file, or assigned by position when it has none). */
    static Schema fileSchema(InputFile file) throws IOException {
        try (ParquetFileReader reader = open(file)) {
            return fileSchema(reader);
        }
    }

    /**
     * The most bytes one buffer of a row group's column chunks holds. Parquet reads a chunk into buffers of 8 MiB by default;
     * in a heap of 1 GiB (regions of 1 MiB) every one of them is a humongous object, and each starts a concurrent collection
     * cycle once the old generation is a little full. Buffers of this size are ordinary young objects.
     */
    static final int READ_BUFFER_BYTES = 256 * 1024;

    /** A Parquet file opened, its footer read. */
    static ParquetFileReader open(InputFile file) throws IOException {
        try {
            return ParquetFileReader.open(SeekableInputs.parquet(file), ParquetReadOptions.builder().withMaxAllocationInBytes(READ_BUFFER_BYTES).build());
        }
        catch (RuntimeException e) {
            throw unreadable(e);
        }
    }

    /** The Iceberg schema of an open Parquet file's footer, as {@link #fileSchema(InputFile)} gives it. */
    static Schema fileSchema(ParquetFileReader reader) throws IOException {
        try {
            MessageType type = reader.getFileMetaData().getSchema();
            return ParquetSchemaUtil.convert(type);
        }
        catch (RuntimeException e) {
            throw unreadable(e);
        }
    }

    /** Why a file is not Parquet Kiln can read, from the failure of a Parquet or Iceberg call on it. */
    static IOException unreadable(RuntimeException e) {
        return new IOException("it is not a Parquet file Kiln can read: " + e.getMessage(), e);
    }

    /** Kiln's type for a Parquet column's Iceberg type, with the additions this class's description lists. */
    static DataType kilnType(Type type) {
        switch (type.typeId()) {
            case MAP: {
                Types.MapType map = type.asMapType();
                return new DataType.ListOf(new DataType.Struct(List.of(
                        new Column("key", kilnType(map.keyType()), true, ""),
                        new Column("value", kilnType(map.valueType()), map.isValueRequired(), ""))));
            }
            case UUID:
                return DataType.STRING;
            case FIXED:
                return DataType.BINARY;
            case LIST: {
                Types.ListType list = type.asListType();
                return new DataType.ListOf(kilnType(list.elementType()));
            }
            case STRUCT: {
                List<Column> fields = new ArrayList<>();
                for (Types.NestedField field : type.asStructType().fields()) {
                    if (!Column.isValidName(field.name())) {
                        return DataType.STRING;
                    }
                    fields.add(new Column(field.name(), kilnType(field.type()), false, ""));
                }
                return new DataType.Struct(fields);
            }
            case TIMESTAMP:
                return DataType.TIMESTAMP;
            default:
                try {
                    return IcebergTypes.fromIceberg(type);
                }
                catch (IllegalArgumentException e) {
                    return DataType.STRING;
                }
        }
    }
}
