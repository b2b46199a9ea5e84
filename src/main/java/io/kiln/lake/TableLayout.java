package io.kiln.lake;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;

import java.util.List;
import java.util.Map;

import org.apache.iceberg.Schema;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;

import io.kiln.transform.Column;
import io.kiln.transform.DataType;

/** The schemas of Kiln's tables: every row carries its lineage columns. */
public final class TableLayout {
    public static final String SOURCE_URI = "_kiln_source_uri";
    public static final String SOURCE_SHA256 = "_kiln_source_sha256";
    public static final String SOURCE_POSITION = "_kiln_source_pos";
    public static final String JOB_ID = "_kiln_job_id";
    public static final String RECIPE = "_kiln_recipe";
    /** Snapshot summary key naming the JSON-lines file of a job's inputs, when they are too many to list in the summary. */
    public static final String INPUT_MANIFEST_FILE = "kiln.input-manifest-file";
    public static final String REJECTS_SUFFIX = "__rejects";

    /** The row id: every table's first column, a required string. */
    public static final Column ID = new Column("id", DataType.STRING, true, "record id from the source");

    /** The lineage columns, in table order: every row says where it came from and how it was made. */
    public static final List<Column> LINEAGE = List.of(
            new Column(SOURCE_URI, DataType.STRING, true, "input file the row came from"),
            new Column(SOURCE_SHA256, DataType.STRING, true, "sha256 of the whole input file"),
            new Column(SOURCE_POSITION, DataType.STRING, true, "position in the input: line:N or doc:0"),
            new Column(JOB_ID, DataType.STRING, true, "the Kiln job that wrote the row"),
            new Column(RECIPE, DataType.STRING, true, "sha256 of the canonical steps, source parsing and models"));

    private static final java.util.Set<String> RESERVED = java.util.Set.of(ID.name(), SOURCE_URI, SOURCE_SHA256, SOURCE_POSITION, JOB_ID, RECIPE);

    public static final Schema REJECTS = new Schema(
            required(1, JOB_ID, Types.StringType.get(), "the Kiln job that dropped the record"),
            required(2, "step", Types.StringType.get(), "extract, or the step (name@version) that dropped it"),
            required(3, "reason", Types.StringType.get(), "reason code"),
            optional(4, "detail", Types.StringType.get(), "explanation for a person"),
            optional(5, "record_id", Types.StringType.get(), "record id, when the record had one"),
            optional(6, "record", Types.StringType.get(), "the record as read, or the row as the step saw it"),
            required(7, SOURCE_URI, Types.StringType.get(), "input file"),
            required(8, SOURCE_SHA256, Types.StringType.get(), "sha256 of the whole input file"),
            required(9, SOURCE_POSITION, Types.StringType.get(), "position in the input"),
            required(10, RECIPE, Types.StringType.get(), "recipe of the job"));

    private TableLayout() {}

    /**
     * The columns of a table that a job writes, in table order: the id, the source's declared
     * columns, the lineage, then the optional columns that the source format may add and those the
     * steps set.
     */
    public static List<Column> columns(List<Column> declared, List<Column> optional) {
        List<Column> columns = new java.util.ArrayList<>();
        columns.add(ID);
        columns.addAll(declared);
        columns.addAll(LINEAGE);
        for (Column column : optional) {
            columns.add(column.asOptional());
        }
        return List.copyOf(columns);
    }

    /** Whether Kiln sets this column itself on every row (the id and the lineage): a source or step may not declare it. */
    public static boolean isReserved(String column) {
        return RESERVED.contains(column) || column.startsWith("_kiln_");
    }


    public static TableIdentifier rejectsOf(TableIdentifier table) {
        return TableIdentifier.of(table.namespace(), table.name() + REJECTS_SUFFIX);
    }

    /** The zstd level of a new table's Parquet files unless configured: Parquet's own default. */
    public static final int DEFAULT_ZSTD_LEVEL = 3;

    /** The {@code kiln.table-kind} of a rejects table. */
    public static final String REJECTS_KIND = "rejects";

    /** The properties of a table of text rows. */
    public static Map<String, String> properties(long targetFileSizeBytes) {
        return properties(targetFileSizeBytes, "text");
    }

    public static Map<String, String> properties(long targetFileSizeBytes, String kind) {
        return properties(targetFileSizeBytes, kind, DEFAULT_ZSTD_LEVEL);
    }

    /**
     * The properties of a new table; {@code kind}, {@code text}, {@code rows} (typed rows) or {@link #REJECTS_KIND}, says what its rows are;
     * {@code zstdLevel} (1 to 22) how hard its Parquet pages are compressed.
     */
    public static Map<String, String> properties(long targetFileSizeBytes, String kind, int zstdLevel) {
        if (zstdLevel < 1 || zstdLevel > 22) {
            throw new IllegalArgumentException("zstd level must be 1 to 22, was " + zstdLevel);
        }
        Map<String, String> properties = new java.util.TreeMap<>(Map.of(
                TableProperties.FORMAT_VERSION, "2",
                TableProperties.DEFAULT_FILE_FORMAT, "parquet",
                TableProperties.WRITE_TARGET_FILE_SIZE_BYTES, Long.toString(targetFileSizeBytes),
                TableProperties.PARQUET_COMPRESSION, "zstd",
                TableProperties.PARQUET_COMPRESSION_LEVEL, Integer.toString(zstdLevel),
                // several row groups per file, so that the check engine's Spark can split a big batch across cores
                TableProperties.PARQUET_ROW_GROUP_SIZE_BYTES, Long.toString(16L * 1024 * 1024),
                TableProperties.COMMIT_NUM_RETRIES, "20",
                "kiln.table-kind", kind));
        // an input's positions are all different, and so are the ids of a table of rows (a rejects table has none): a
        // dictionary of them is hashed and compared on every insert until it overflows or the row group ends, and is then
        // written out plain
        properties.put(TableProperties.PARQUET_DICT_ENCODING_ENABLED_COLUMN_PREFIX + SOURCE_POSITION, "false");
        if (!kind.equals(REJECTS_KIND)) {
            properties.put(TableProperties.PARQUET_DICT_ENCODING_ENABLED_COLUMN_PREFIX + ID.name(), "false");
        }
        if (kind.equals("text")) {
            // a text table's documents are all different: a dictionary of them only fills up (2 MB, a few hundred documents
            // per row group), is hashed and compared on every insert, and is then written out plain
            properties.put(TableProperties.PARQUET_DICT_ENCODING_ENABLED_COLUMN_PREFIX + "text", "false");
        }
        return Map.copyOf(properties);
    }
}
