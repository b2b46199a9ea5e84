package io.kiln.source;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import io.kiln.transform.Row;
import io.kiln.transform.Values;

/**
 * Streams the samples of one WebDataset tar shard: one member at a time, never the whole shard.
 * A sample is a reject, and the shard carries on, when: a member is larger than its limit
 * ({@code too-large}: {@value MediaFileFormat#MAX_FILE_BYTES} bytes for images and sounds, the record
 * limit for text), it has two images or two sounds ({@code ambiguous-sample}), a text member is not
 * UTF-8 ({@code invalid-text}), a member's extension is not one Kiln reads ({@code unknown-member};
 * with {@code source.unknownFields: "drop"} such members are skipped), or its {@code .json} does not
 * fit the schema (the reasons of JSON lines). A tar that cannot be read further fails the job.
 */
final class WebDatasetReader extends StreamedReader {
    static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "gif", "bmp", "webp", "tif", "tiff");
    static final Set<String> AUDIO_EXTENSIONS = Set.of("flac", "wav", "mp3", "ogg", "oga");

    /** One file of a shard, read whole (or found too large), with its key and extension. */
    record Member(String name, String key, String extension, long size, byte[] bytes) {
        boolean tooLarge() {
            return bytes == null;
        }
    }

    /** The regular files of a tar stream in order, each read into memory up to its limit. */
    static final class Members implements Closeable {
        private final TarArchiveInputStream tar;
        private final int textLimit;

        /** {@code textLimit}: the most bytes a text member (txt, cls, json) may have; images and sounds may have {@value MediaFileFormat#MAX_FILE_BYTES}. */
        Members(InputStream in, int textLimit) {
            this.tar = new TarArchiveInputStream(in);
            this.textLimit = textLimit;
        }

        Optional<Member> next() throws IOException {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (!entry.isFile()) {
                    continue;
                }
                String name = entry.getName().startsWith("./") ? entry.getName().substring(2) : entry.getName();
                int slash = name.lastIndexOf('/');
                int dot = name.indexOf('.', slash + 1);
                String key = dot < 0 ? name : name.substring(0, dot);
                String extension = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(java.util.Locale.ROOT);
                long limit = IMAGE_EXTENSIONS.contains(extension) || AUDIO_EXTENSIONS.contains(extension) ? MediaFileFormat.MAX_FILE_BYTES : textLimit;
                if (entry.getSize() > limit) {
                    return Optional.of(new Member(name, key, extension, entry.getSize(), null)); // the stream skips its bytes
                }
                return Optional.of(new Member(name, key, extension, entry.getSize(), tar.readNBytes((int) entry.getSize())));
            }
            return Optional.empty();
        }

        @Override
        public void close() throws IOException {
            tar.close();
        }
    }

    private final Members members;
    private final Optional<TypedJsonParser> parser;
    private final RecordSchema.UnknownFields unknownMembers;
    private Member pending;
    private boolean started;
    private long samples;

    WebDatasetReader(HashingInput raw, ReadOptions options, String sha256) throws IOException {
        super(raw);
        this.members = new Members(options.compression().decompress(raw), options.maxRecordBytes());
        // the id of a sample is its key: the schema's own id rule is replaced by the position rule, and the key set after
        this.parser = options.schema().map(schema -> new TypedJsonParser(new RecordSchema(schema.fields(), new RecordSchema.FromPosition(), schema.unknownFields()),
                sha256));
        this.unknownMembers = options.schema().map(RecordSchema::unknownFields).orElse(RecordSchema.UnknownFields.REJECT);
    }

    @Override
    public Optional<SourceRecord> next() throws IOException {
        if (!started) {
            started = true;
            pending = members.next().orElse(null);
        }
        if (pending == null) {
            return Optional.empty();
        }
        String key = pending.key();
        List<Member> sample = new ArrayList<>();
        while (pending != null && pending.key().equals(key)) {
            sample.add(pending);
            pending = members.next().orElse(null);
        }
        samples++;
        return Optional.of(sample(key, sample, "sample:" + samples));
    }

    private SourceRecord sample(String key, List<Member> sample, String position) {
        Map<String, Object> values = new LinkedHashMap<>();
        Member json = null;
        List<String> names = sample.stream().map(Member::name).toList();
        // a sound's text is its transcript, an image's its caption
        boolean spoken = sample.stream().anyMatch(member -> AUDIO_EXTENSIONS.contains(member.extension()))
                && sample.stream().noneMatch(member -> IMAGE_EXTENSIONS.contains(member.extension()));
        for (Member member : sample) {
            String extension = member.extension();
            if (member.tooLarge()) {
                return malformed(position, "too-large", "member %s has %d bytes, above the limit".formatted(member.name(), member.size()), key, names, null);
            }
            String column = IMAGE_EXTENSIONS.contains(extension) ? Sources.IMAGE
                    : AUDIO_EXTENSIONS.contains(extension) ? WebDatasetFormat.AUDIO
                    : extension.equals("txt") ? (spoken ? WebDatasetFormat.TRANSCRIPT : WebDatasetFormat.CAPTION)
                    : extension.equals("cls") ? WebDatasetFormat.LABEL
                    : extension.equals("json") ? WebDatasetFormat.JSON
                    : null;
            if (column == null) {
                if (unknownMembers == RecordSchema.UnknownFields.DROP) {
                    continue;
                }
                return malformed(position, "unknown-member", "member " + member.name() + " has an extension Kiln does not read ('" + extension
                        + "'); source.unknownFields \"drop\" skips such members", key, names, null);
            }
            if (values.containsKey(column) || column.equals(WebDatasetFormat.JSON) && json != null) {
                return malformed(position, "ambiguous-sample", "the sample has two members for column '" + column + "'", key, names, null);
            }
            if (column.equals(Sources.IMAGE) || column.equals(WebDatasetFormat.AUDIO)) {
                values.put(column, ByteBuffer.wrap(member.bytes()).asReadOnlyBuffer());
                continue;
            }
            Optional<String> text = utf8(member.bytes());
            if (text.isEmpty()) {
                return malformed(position, "invalid-text", "member " + member.name() + " is not valid UTF-8", key, names, null);
            }
            if (column.equals(WebDatasetFormat.JSON)) {
                json = member;
                if (parser.isEmpty()) {
                    values.put(WebDatasetFormat.JSON, text.get());
                }
            }
            else {
                values.put(column, column.equals(WebDatasetFormat.LABEL) ? text.get().strip() : text.get());
            }
        }
        if (parser.isEmpty()) {
            return new SourceRecord.Parsed(new Row(key, values), position);
        }
        byte[] object = json == null ? "{}".getBytes(StandardCharsets.UTF_8) : json.bytes();
        String jsonText = json == null ? null : new String(object, StandardCharsets.UTF_8);
        SourceRecord typed = parser.get().parse(object, object.length, position, "the .json member", () -> raw(key, names, jsonText));
        if (typed instanceof SourceRecord.Parsed parsed) {
            return new SourceRecord.Parsed(parsed.row().withId(key).with(values), position);
        }
        SourceRecord.Malformed malformed = (SourceRecord.Malformed) typed;
        return new SourceRecord.Malformed(position, malformed.reason(), malformed.detail(), raw(key, names, jsonText));
    }

    private static SourceRecord malformed(String position, String reason, String detail, String key, List<String> names, String json) {
        return new SourceRecord.Malformed(position, reason, detail, raw(key, names, json));
    }

    /** A rejected sample as the rejects table keeps it: its key, its members' names and its JSON. */
    private static String raw(String key, List<String> names, String json) {
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("key", key);
        raw.put("members", names);
        if (json != null) {
            raw.put("json", json);
        }
        return Values.json(raw);
    }

    private static Optional<String> utf8(byte[] bytes) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString());
        }
        catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
