package io.kiln.source;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

import io.kiln.transform.Row;
import io.kiln.transform.Values;

/**
 * Files that a typed source's records name (a manifest of images or sounds): the string column
 * {@code column} holds each record's path, absolute or relative to the manifest's folder, and the
 * file's bytes go into the binary column {@code into}. A record whose file is outside the source
 * roots ({@code outside-source-roots}, after resolving links), missing ({@code missing-file}) or
 * above {@value MediaFileFormat#MAX_FILE_BYTES} bytes ({@code too-large}) is a reject; one without a
 * path passes on without the file. The file read is the one checked: it is pinned where the check
 * found it and opened from there without following links ({@link InputFile#open()}); one swapped
 * between the check and the read is a reject ({@code input-changed}).
 */
public record MediaFiles(String column, String into, SourceResolver sources) {
    public MediaFiles {
        requireNonNull(column, "column is null");
        requireNonNull(into, "into is null");
        requireNonNull(sources, "sources is null");
    }

    /** The records of {@code reader} (reading {@code manifest}) with their files loaded. */
    public RecordReader wrap(RecordReader reader, InputFile manifest) {
        Path folder = manifest.path().toAbsolutePath().getParent();
        return reader.mapParsed(parsed -> load(parsed, folder));
    }

    private SourceRecord load(SourceRecord.Parsed parsed, Path folder) throws IOException {
        Row row = parsed.row();
        Optional<String> named = row.string(column);
        if (named.isEmpty()) {
            return parsed;
        }
        Path file;
        try {
            file = folder.resolve(named.get()).normalize();
        }
        catch (InvalidPathException e) {
            return malformed(parsed, "missing-file", "column '" + column + "': '" + named.get() + "' is not a valid path");
        }
        if (!Files.isRegularFile(file)) {
            return malformed(parsed, "missing-file", "column '" + column + "': no file at '" + named.get() + "'");
        }
        Optional<InputFile> pinned = sources.pinned(file);
        if (pinned.isEmpty()) {
            return malformed(parsed, "outside-source-roots", "column '" + column + "': '" + named.get() + "' is outside the configured source roots");
        }
        long size = pinned.get().size();
        if (size > MediaFileFormat.MAX_FILE_BYTES) {
            return malformed(parsed, "too-large", "column '" + column + "': '" + named.get() + "' has " + size + " bytes, above the limit of "
                    + MediaFileFormat.MAX_FILE_BYTES);
        }
        byte[] bytes;
        try (InputStream in = Channels.newInputStream(pinned.get().open())) {
            bytes = in.readNBytes(MediaFileFormat.MAX_FILE_BYTES + 1);
        }
        catch (InputChangedException e) {
            return malformed(parsed, "input-changed", "column '" + column + "': '" + named.get() + "' was replaced while it was read: " + e.getMessage());
        }
        if (bytes.length > MediaFileFormat.MAX_FILE_BYTES) {
            return malformed(parsed, "too-large", "column '" + column + "': '" + named.get() + "' has more than " + MediaFileFormat.MAX_FILE_BYTES
                    + " bytes, above the limit");
        }
        return new SourceRecord.Parsed(row.with(into, ByteBuffer.wrap(bytes).asReadOnlyBuffer()), parsed.position());
    }

    private static SourceRecord malformed(SourceRecord.Parsed parsed, String reason, String detail) {
        return new SourceRecord.Malformed(parsed.position(), reason, detail, Values.json(parsed.row()));
    }
}
