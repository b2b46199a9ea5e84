package io.kiln.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;

import io.kiln.transform.Column;
import io.kiln.transform.DataType;
import io.kiln.transform.Row;

/**
 * {@code image} and {@code audio}: each file is one record, read whole into one binary column
 * ({@code image} or {@code audio}: the file's bytes as they are; decoding, validation and metadata
 * are the steps'). Its id is the file's path below the source's base directory. A file above
 * {@value #MAX_FILE_BYTES} bytes is a {@code too-large} record; the rest of it is still hashed,
 * never held.
 */
final class MediaFileFormat implements SourceFormat {
    static final int MAX_FILE_BYTES = 256 << 20;
    static final Column IMAGE_COLUMN = new Column(Sources.IMAGE, DataType.BINARY, true, "the image file's bytes (after image-normalize: the stored, metadata-free image)");
    static final Column AUDIO_COLUMN = new Column(Sources.AUDIO, DataType.BINARY, true, "the audio file's bytes (after audio-normalize: the canonical, lossless audio)");

    private final String specName;
    private final String kind;
    private final Column column;

    /** {@code kind}: what one file is, for messages ("an image"). */
    MediaFileFormat(String specName, String kind, Column column) {
        this.specName = specName;
        this.kind = kind;
        this.column = column;
    }

    @Override
    public String specName() {
        return specName;
    }

    @Override
    public Typing typing() {
        return Typing.FILE;
    }

    @Override
    public List<Column> fixedColumns() {
        return List.of(column);
    }

    @Override
    public RecordReader open(InputFile file, String sha256, ReadOptions options, LongConsumer bytesRead) throws IOException {
        return HashingInput.openWith(file, bytesRead, raw -> new StreamedReader(raw) {
            private boolean done;

            @Override
            public Optional<SourceRecord> next() throws IOException {
                if (done) {
                    return Optional.empty();
                }
                done = true;
                String position = "file";
                byte[] bytes = raw.readNBytes(MAX_FILE_BYTES + 1);
                if (bytes.length > MAX_FILE_BYTES) {
                    return Optional.of(new SourceRecord.Malformed(position, "too-large",
                            "the file is larger than the limit of " + MAX_FILE_BYTES + " bytes for " + kind, file.relativeName()));
                }
                return Optional.of(new SourceRecord.Parsed(new Row(file.relativeName(), Map.of(column.name(), ByteBuffer.wrap(bytes).asReadOnlyBuffer())), position));
            }
        });
    }

    @Override
    public Map<String, Object> recipe(ReadOptions options) {
        return Map.of("format", specName(), "fields", Map.of());
    }
}
