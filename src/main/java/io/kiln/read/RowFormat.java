package io.kiln.read;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The formats Kiln's readers write rows in.
 * <ul>
 * <li>{@code jsonl}: one JSON object per row and line, keys in column order; lists are arrays,
 * dates and timestamps ISO-8601 strings, binary base64.</li>
 * <li>{@code arrow}: Arrow IPC. The rows endpoint streams the IPC stream format; export shards are
 * IPC files ({@code .arrow}, random access: {@code pyarrow.ipc.open_file}, Polars {@code read_ipc}).</li>
 * <li>{@code parquet}: Parquet with zstd, written from the same Arrow vectors, with Iceberg's
 * field ids and the {@code iceberg.schema} key, so Iceberg, Spark, pyarrow and DuckDB read it.
 * Only export writes it: Parquet needs its footer, so it cannot stream.</li>
 * <li>{@code webdataset}: tar shards in the WebDataset layout, for image and audio training
 * loaders: per row, its image ({@code key.png} or {@code key.jpg}, from the {@code image} column) or
 * sound ({@code audio}), {@code key.txt} (a {@code caption}), {@code key.cls} (a {@code label}) and
 * {@code key.json} with every other column (as {@code jsonl} renders them, the row id as {@code id}).
 * Keys are the row's number in the export, nine digits; members carry no time or owner, so the same
 * rows give the same bytes. Only export writes it.</li>
 * </ul>
 */
public enum RowFormat {
    JSONL("jsonl", "jsonl", "application/x-ndjson"),
    ARROW("arrow", "arrow", "application/vnd.apache.arrow.file"),
    PARQUET("parquet", "parquet", "application/vnd.apache.parquet"),
    WEBDATASET("webdataset", "tar", "application/x-tar");

    /** The media type of the Arrow IPC stream format, which the rows endpoint sends. */
    public static final String ARROW_STREAM_MEDIA_TYPE = "application/vnd.apache.arrow.stream";

    private final String formatName;
    private final String extension;
    private final String mediaType;

    RowFormat(String formatName, String extension, String mediaType) {
        this.formatName = formatName;
        this.extension = extension;
        this.mediaType = mediaType;
    }

    public String formatName() {
        return formatName;
    }

    public String extension() {
        return extension;
    }

    public String mediaType() {
        return mediaType;
    }

    public static Optional<RowFormat> fromName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(format -> format.formatName.equals(lower)).findFirst();
    }

    public static String names() {
        return String.join(", ", Arrays.stream(values()).map(RowFormat::formatName).toList());
    }
}
