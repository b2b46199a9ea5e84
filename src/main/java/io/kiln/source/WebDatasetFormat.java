package io.kiln.source;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.kiln.transform.Column;
import io.kiln.transform.DataType;

/**
 * {@code webdataset}: tar shards in the WebDataset layout (plain, gzip or zstd), read as a stream:
 * the files of one sample share a key (the member's path up to the first dot of its name) and come
 * one after another; each sample is one row whose id is its key. Members by extension: an image
 * ({@code jpg jpeg png gif bmp webp tif tiff}) goes to the binary column {@code image}, a sound
 * ({@code flac wav mp3 ogg oga}) to {@code audio}, {@code txt} to {@code caption} (to {@code transcript}
 * in a sample with a sound and no image), {@code cls} to
 * {@code label}, and {@code json}: with a {@code source.schema}, its fields become the schema's
 * columns, as JSON lines' do (unknown fields by {@code source.unknownFields}); without one, its text
 * goes to the string column {@code json}. See {@link WebDatasetReader} for what makes a sample a reject.
 */
final class WebDatasetFormat implements SourceFormat {
    static final String CAPTION = "caption";
    static final String TRANSCRIPT = "transcript";
    static final String LABEL = "label";
    static final String AUDIO = "audio";
    static final String JSON = "json";
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    static final List<Column> COLUMNS = List.of(
            Column.optional(Sources.IMAGE, DataType.BINARY, "the sample's image file (after image-normalize: the stored, metadata-free image)"),
            Column.optional(AUDIO, DataType.BINARY, "the sample's sound file"),
            Column.string(CAPTION, "the sample's .txt member"),
            Column.string(TRANSCRIPT, "the .txt member of a sample with a sound and no image"),
            Column.string(LABEL, "the sample's .cls member, trimmed"));

    @Override
    public String specName() {
        return "webdataset";
    }

    @Override
    public Typing typing() {
        return Typing.EITHER;
    }

    @Override
    public List<Column> fixedColumns() {
        return List.of(Column.string(JSON, "the sample's .json member as it is (declare source.schema to read its fields into columns)"));
    }

    @Override
    public List<Column> columns() {
        return COLUMNS;
    }

    @Override
    public RecordReader open(InputFile file, String sha256, ReadOptions options, LongConsumer bytesRead) throws IOException {
        return HashingInput.openWith(file, bytesRead, raw -> new WebDatasetReader(raw, options, sha256));
    }

    @Override
    public Map<String, Object> recipe(ReadOptions options) {
        Map<String, Object> recipe = new LinkedHashMap<>();
        recipe.put("format", specName());
        recipe.put("members", "image: jpg jpeg png gif bmp webp tif tiff; audio: flac wav mp3 ogg oga; caption: txt; label: cls; json");
        recipe.put("transcripts", "txt of a sample with audio and no image");
        options.schema().ifPresent(schema -> recipe.put("schema", schema.recipe()));
        return recipe;
    }

    /** The {@code .json} members of the first {@code records} samples, by {@link SchemaInference}'s rule. */
    @Override
    public List<RecordSchema.Field> infer(List<InputFile> files, ReadOptions options, int records) throws IOException {
        return SchemaInference.infer(files, options, records, (file, inference, wanted) -> {
            int seen = 0;
            try (HashingInput raw = HashingInput.open(file, bytes -> {});
                    WebDatasetReader.Members members = new WebDatasetReader.Members(options.compression().decompress(raw), options.maxRecordBytes())) {
                Optional<WebDatasetReader.Member> member;
                while (seen < wanted && (member = members.next()).isPresent()) {
                    if (member.get().extension().equals(JSON) && !member.get().tooLarge()) {
                        try {
                            JsonNode node = MAPPER.readTree(member.get().bytes());
                            if (node != null && node.isObject()) {
                                inference.addJson(node);
                                seen++;
                            }
                        }
                        catch (IOException e) {
                            // not JSON: the sample will be a reject, it gives no columns
                        }
                    }
                }
            }
            catch (UnreadableInputException e) {
                // the rest of this shard cannot be decoded (the job makes it a reject): infer from what was read
            }
            return seen;
        });
    }
}
