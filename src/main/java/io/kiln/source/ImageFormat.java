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
 * {@code image}: each file is one image, read whole into the binary column {@code image} (the
 * file's bytes as they are: decoding, validation and metadata are the {@code image-normalize}
 * step's). Its id is the file's path below the source's base directory. A file above
 * {@value #MAX_IMAGE_BYTES} bytes is a {@code too-large} record; the rest of it is still hashed,
 * never held.
 */
final class ImageFormat implements SourceFormat {
    static final int MAX_IMAGE_BYTES = 256 << 20;
    static final Column IMAGE_COLUMN = new Column(Sources.IMAGE, DataType.BINARY, true, "the image file's bytes (after image-normalize: the stored, metadata-free image)");

    @Override
    public String specName() {
        return "image";
    }

    @Override
    public Typing typing() {
        return Typing.FILE;
    }

    @Override
    public List<Column> fixedColumns() {
        return List.of(IMAGE_COLUMN);
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
                byte[] bytes = raw.readNBytes(MAX_IMAGE_BYTES + 1);
                if (bytes.length > MAX_IMAGE_BYTES) {
                    return Optional.of(new SourceRecord.Malformed(position, "too-large",
                            "the file is larger than the limit of " + MAX_IMAGE_BYTES + " bytes for an image", file.relativeName()));
                }
                return Optional.of(new SourceRecord.Parsed(new Row(file.relativeName(), Map.of(Sources.IMAGE, ByteBuffer.wrap(bytes).asReadOnlyBuffer())), position));
            }
        });
    }

    @Override
    public Map<String, Object> recipe(ReadOptions options) {
        return Map.of("format", specName(), "fields", Map.of());
    }
}
