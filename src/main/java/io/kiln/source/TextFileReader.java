package io.kiln.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import io.kiln.transform.Row;

/** A plain UTF-8 text file is one document; its id is its path below the source's base directory. */
final class TextFileReader extends StreamedReader {
    private final InputFile file;
    private final int maxRecordBytes;
    private boolean done;

    TextFileReader(HashingInput raw, InputFile file, int maxRecordBytes) {
        super(raw);
        this.file = file;
        this.maxRecordBytes = maxRecordBytes;
    }

    @Override
    public Optional<SourceRecord> next() throws IOException {
        if (done) {
            return Optional.empty();
        }
        done = true;
        String position = "doc:0";
        byte[] bytes = raw.readNBytes(maxRecordBytes + 1);
        if (bytes.length > maxRecordBytes) {
            String head = new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.UTF_8);
            return Optional.of(new SourceRecord.Malformed(position, "record-too-large",
                    "document is larger than the limit of " + maxRecordBytes + " bytes", head));
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
                text = text.substring(1);
            }
            return Optional.of(new SourceRecord.Parsed(Row.text(file.relativeName(), text), position));
        }
        catch (CharacterCodingException e) {
            return Optional.of(new SourceRecord.Malformed(position, "invalid-utf8", "document is not valid UTF-8",
                    new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.UTF_8)));
        }
    }
}
