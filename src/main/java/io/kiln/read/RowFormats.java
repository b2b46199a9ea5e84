package io.kiln.read;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

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
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.complex.BaseListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.ArrowWriter;
import org.apache.iceberg.Schema;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;

/** The {@link RowWriter}s of each {@link RowFormat}, all writing from the Arrow vectors of a {@link SnapshotScan}. */
public final class RowFormats {
    private static final JsonFactory JSON = JsonFactory.builder().enable(com.fasterxml.jackson.core.StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

    private RowFormats() {}

    /** A writer for export shards: Arrow as IPC files. */
    public static RowWriter fileWriter(RowFormat format, VectorSchemaRoot root, Schema schema, OutputStream out) throws IOException {
        return switch (format) {
            case JSONL -> new JsonlWriter(root, out);
            case ARROW -> new ArrowIpcWriter(new ArrowFileWriter(root, null, Channels.newChannel(out)), root);
            case PARQUET -> new ParquetRowWriter(schema, root.getSchema(), out);
            case WEBDATASET -> new WebDatasetWriter(root, out);
        };
    }

    /** A writer for a response body: Arrow as the IPC stream format; Parquet cannot stream. */
    public static RowWriter streamWriter(RowFormat format, VectorSchemaRoot root, OutputStream out) throws IOException {
        return switch (format) {
            case JSONL -> new JsonlWriter(root, out);
            case ARROW -> new ArrowIpcWriter(new ArrowStreamWriter(root, null, Channels.newChannel(out)), root);
            case PARQUET, WEBDATASET -> throw new IllegalArgumentException(format.formatName() + " cannot be streamed");
        };
    }

    private static final class ArrowIpcWriter implements RowWriter {
        private final ArrowWriter writer;
        private final VectorSchemaRoot root;

        ArrowIpcWriter(ArrowWriter writer, VectorSchemaRoot root) throws IOException {
            this.writer = writer;
            this.root = root;
            writer.start();
        }

        @Override
        public void write(VectorSchemaRoot batch) throws IOException {
            if (batch != root) {
                throw new IllegalArgumentException("An Arrow writer writes the batches of the root it was made for");
            }
            writer.writeBatch();
        }

        @Override
        public long bytes() {
            return writer.bytesWritten();
        }

        @Override
        public void finish() throws IOException {
            writer.end();
        }
    }

    /** One JSON object per row, then a newline; keys in column order. */
    private static final class JsonlWriter implements RowWriter {
        private final JsonGenerator json;
        private final List<JsonColumn> columns = new ArrayList<>();
        private final CountingStream counted;

        JsonlWriter(VectorSchemaRoot root, OutputStream out) throws IOException {
            this.counted = new CountingStream(requireNonNull(out, "out is null"));
            this.json = JSON.createGenerator(counted, JsonEncoding.UTF8);
            json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            json.setRootValueSeparator(null);
            for (FieldVector vector : root.getFieldVectors()) {
                columns.add(new JsonColumn(new SerializedString(vector.getName()), jsonValue(vector)));
            }
        }

        @Override
        public void write(VectorSchemaRoot batch) throws IOException {
            int rows = batch.getRowCount();
            for (int row = 0; row < rows; row++) {
                json.writeStartObject();
                for (JsonColumn column : columns) {
                    json.writeFieldName(column.name());
                    column.value().write(json, row);
                }
                json.writeEndObject();
                json.writeRaw('\n');
            }
        }

        @Override
        public long bytes() {
            return counted.count + json.getOutputBuffered();
        }

        @Override
        public void finish() throws IOException {
            json.flush();
        }
    }

    /** {@link RowFormat#WEBDATASET}: one tar member per media column, caption (or else transcript) and label, and a JSON member for the rest. */
    private static final class WebDatasetWriter implements RowWriter {
        private final org.apache.commons.compress.archivers.tar.TarArchiveOutputStream tar;
        private final CountingStream counted;
        private final VarBinaryVector image;
        private final VarBinaryVector audio;
        private final VarCharVector caption;
        private final VarCharVector transcript;
        private final VarCharVector label;
        private final VarCharVector storedFormat;
        private final List<JsonColumn> columns = new ArrayList<>();
        private final java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
        private long rows;

        WebDatasetWriter(VectorSchemaRoot root, OutputStream out) {
            this.counted = new CountingStream(requireNonNull(out, "out is null"));
            this.tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(counted);
            tar.setLongFileMode(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.LONGFILE_POSIX);
            this.image = root.getVector("image") instanceof VarBinaryVector vector ? vector : null;
            this.audio = root.getVector("audio") instanceof VarBinaryVector vector ? vector : null;
            this.caption = root.getVector("caption") instanceof VarCharVector vector ? vector : null;
            this.transcript = root.getVector("transcript") instanceof VarCharVector vector ? vector : null;
            this.label = root.getVector("label") instanceof VarCharVector vector ? vector : null;
            this.storedFormat = root.getVector("stored_format") instanceof VarCharVector vector ? vector : null;
            for (FieldVector vector : root.getFieldVectors()) {
                if (vector != image && vector != audio && vector != caption && vector != transcript && vector != label) {
                    columns.add(new JsonColumn(new SerializedString(vector.getName()), jsonValue(vector)));
                }
            }
        }

        @Override
        public void write(VectorSchemaRoot batch) throws IOException {
            for (int row = 0; row < batch.getRowCount(); row++) {
                String key = String.format(java.util.Locale.ROOT, "%09d", rows++);
                if (image != null && !image.isNull(row)) {
                    byte[] bytes = image.get(row);
                    member(key + "." + imageExtension(bytes, storedFormat != null && !storedFormat.isNull(row) ? storedFormat.getObject(row).toString() : null), bytes);
                }
                if (audio != null && !audio.isNull(row)) {
                    byte[] bytes = audio.get(row);
                    member(key + "." + audioExtension(bytes), bytes);
                }
                if (caption != null && !caption.isNull(row)) {
                    member(key + ".txt", caption.get(row));
                }
                else if (transcript != null && !transcript.isNull(row)) {
                    member(key + ".txt", transcript.get(row));
                }
                if (label != null && !label.isNull(row)) {
                    member(key + ".cls", label.get(row));
                }
                buffer.reset();
                try (JsonGenerator json = JSON.createGenerator(buffer, JsonEncoding.UTF8)) {
                    json.writeStartObject();
                    for (JsonColumn column : columns) {
                        json.writeFieldName(column.name());
                        column.value().write(json, row);
                    }
                    json.writeEndObject();
                }
                member(key + ".json", buffer.toByteArray());
            }
        }

        private void member(String name, byte[] bytes) throws IOException {
            org.apache.commons.compress.archivers.tar.TarArchiveEntry entry = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(name);
            entry.setSize(bytes.length);
            entry.setModTime(0);
            entry.setMode(0644);
            tar.putArchiveEntry(entry);
            tar.write(bytes);
            tar.closeArchiveEntry();
        }

        static String imageExtension(byte[] bytes, String storedFormat) {
            if (storedFormat != null) {
                return storedFormat.equals("jpeg") ? "jpg" : storedFormat;
            }
            if (bytes.length > 3 && (bytes[0] & 0xff) == 0x89 && bytes[1] == 'P') {
                return "png";
            }
            if (bytes.length > 2 && (bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0xd8) {
                return "jpg";
            }
            if (bytes.length > 3 && bytes[0] == 'G' && bytes[1] == 'I' && bytes[2] == 'F') {
                return "gif";
            }
            if (bytes.length > 12 && bytes[0] == 'R' && bytes[8] == 'W' && bytes[9] == 'E' && bytes[10] == 'B') {
                return "webp";
            }
            return bytes.length > 2 && bytes[0] == 'B' && bytes[1] == 'M' ? "bmp" : "tiff";
        }

        static String audioExtension(byte[] bytes) {
            if (bytes.length > 4 && bytes[0] == 'f' && bytes[1] == 'L' && bytes[2] == 'a' && bytes[3] == 'C') {
                return "flac";
            }
            if (bytes.length > 4 && bytes[0] == 'O' && bytes[1] == 'g' && bytes[2] == 'g' && bytes[3] == 'S') {
                return "ogg";
            }
            if (bytes.length > 12 && bytes[0] == 'R' && bytes[8] == 'W' && bytes[9] == 'A' && bytes[10] == 'V') {
                return "wav";
            }
            return "mp3";
        }

        @Override
        public long bytes() {
            return counted.count;
        }

        @Override
        public void finish() throws IOException {
            tar.finish();
            tar.flush();
        }
    }

    private record JsonColumn(SerializedString name, JsonValue value) {}

    private interface JsonValue {
        void write(JsonGenerator json, int index) throws IOException;
    }

    private static JsonValue jsonValue(FieldVector vector) {
        JsonValue value = nonNullJsonValue(vector);
        return (json, index) -> {
            if (vector.isNull(index)) {
                json.writeNull();
            }
            else {
                value.write(json, index);
            }
        };
    }

    private static JsonValue nonNullJsonValue(FieldVector vector) {
        if (vector instanceof VarCharVector strings) {
            byte[][] buffer = {new byte[1024]};
            return (json, index) -> {
                long start = strings.getStartOffset(index);
                int length = strings.getValueLength(index);
                if (buffer[0].length < length) {
                    buffer[0] = new byte[Math.max(length, buffer[0].length * 2)];
                }
                strings.getDataBuffer().getBytes(start, buffer[0], 0, length);
                json.writeUTF8String(buffer[0], 0, length);
            };
        }
        if (vector instanceof IntVector ints) {
            return (json, index) -> json.writeNumber(ints.get(index));
        }
        if (vector instanceof BigIntVector longs) {
            return (json, index) -> json.writeNumber(longs.get(index));
        }
        if (vector instanceof Float4Vector floats) {
            return (json, index) -> json.writeNumber(floats.get(index));
        }
        if (vector instanceof Float8Vector doubles) {
            return (json, index) -> json.writeNumber(doubles.get(index));
        }
        if (vector instanceof BitVector booleans) {
            return (json, index) -> json.writeBoolean(booleans.get(index) == 1);
        }
        if (vector instanceof DateDayVector dates) {
            return (json, index) -> json.writeString(LocalDate.ofEpochDay(dates.get(index)).toString());
        }
        if (vector instanceof TimeStampMicroTZVector timestamps) {
            return (json, index) -> json.writeString(Instant.EPOCH.plus(timestamps.get(index), ChronoUnit.MICROS).toString());
        }
        if (vector instanceof TimeStampMicroVector timestamps) {
            return (json, index) -> json.writeString(LocalDateTime.ofInstant(Instant.EPOCH.plus(timestamps.get(index), ChronoUnit.MICROS), ZoneOffset.UTC).toString());
        }
        if (vector instanceof VarBinaryVector binaries) {
            return (json, index) -> json.writeBinary(binaries.get(index));
        }
        if (vector instanceof DecimalVector decimals) {
            return (json, index) -> json.writeNumber(decimals.getObject(index));
        }
        if (vector instanceof StructVector struct) {
            List<JsonColumn> fields = new ArrayList<>();
            for (FieldVector child : struct.getChildrenFromFields()) {
                fields.add(new JsonColumn(new SerializedString(child.getName()), jsonValue(child)));
            }
            return (json, index) -> {
                json.writeStartObject();
                for (JsonColumn field : fields) {
                    json.writeFieldName(field.name());
                    field.value().write(json, index);
                }
                json.writeEndObject();
            };
        }
        if (vector instanceof BaseListVector list) {
            JsonValue element = jsonValue(ArrowVectors.elements(list));
            return (json, index) -> {
                json.writeStartArray();
                int end = list.getElementEndIndex(index);
                for (int i = list.getElementStartIndex(index); i < end; i++) {
                    element.write(json, i);
                }
                json.writeEndArray();
            };
        }
        throw new IllegalArgumentException("No JSON rendering for vector " + vector.getField());
    }

    /** Counts what passes; never closes the stream it wraps. */
    static final class CountingStream extends OutputStream {
        private final OutputStream out;
        long count;

        CountingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
            count += length;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
