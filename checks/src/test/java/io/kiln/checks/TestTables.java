package io.kiln.checks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;

/**
 * A real Iceberg catalog for tests, as Kiln's embedded default has it: JdbcCatalog on a SQLite file,
 * a {@code file://} warehouse, tables written with Iceberg's generic Parquet writer (not Spark).
 */
final class TestTables implements AutoCloseable {
    static final Schema TEXT_SCHEMA = new Schema(
            Types.NestedField.optional(1, "id", Types.StringType.get()),
            Types.NestedField.optional(2, "text", Types.StringType.get()),
            Types.NestedField.optional(3, "_kiln_source_uri", Types.StringType.get()),
            Types.NestedField.optional(4, "_kiln_source_sha256", Types.StringType.get()),
            Types.NestedField.optional(5, "_kiln_source_pos", Types.StringType.get()),
            Types.NestedField.optional(6, "_kiln_job_id", Types.StringType.get()),
            Types.NestedField.optional(7, "_kiln_recipe", Types.StringType.get()));

    /** One row of a text table; the lineage columns are filled in. */
    record Doc(String id, String text) {}

    private final String catalogName;
    private final Map<String, String> properties;
    private final JdbcCatalog catalog;

    TestTables(Path directory, String catalogName) {
        this.catalogName = catalogName;
        this.properties = Map.of(
                "type", "jdbc",
                "uri", "jdbc:sqlite:" + directory.resolve("catalog.db"),
                "warehouse", directory.resolve("warehouse").toUri().toString(),
                "jdbc.schema-version", "V1");
        this.catalog = new JdbcCatalog();
        catalog.setConf(new Configuration());
        Map<String, String> catalogProperties = new HashMap<>(properties);
        catalogProperties.remove("type");
        catalog.initialize(catalogName, catalogProperties);
    }

    CatalogSpec spec() {
        return new CatalogSpec(catalogName, properties);
    }

    Table createTextTable(String name) {
        TableIdentifier identifier = TableIdentifier.parse(name);
        if (!catalog.namespaceExists(identifier.namespace())) {
            catalog.createNamespace(identifier.namespace());
        }
        return catalog.createTable(identifier, TEXT_SCHEMA, PartitionSpec.unpartitioned());
    }

    boolean namespaceExists(String namespace) {
        return catalog.namespaceExists(Namespace.of(namespace));
    }

    /** Appends the rows as one Parquet file in a new snapshot and returns the snapshot's id. */
    static long append(Table table, List<Doc> docs) {
        OutputFile file = table.io().newOutputFile(table.locationProvider().newDataLocation(UUID.randomUUID() + ".parquet"));
        DataWriter<Record> writer;
        try {
            writer = Parquet.writeData(file)
                    .schema(table.schema())
                    .createWriterFunc(GenericParquetWriter::create)
                    .withSpec(PartitionSpec.unpartitioned())
                    .overwrite()
                    .build();
            try (writer) {
                GenericRecord template = GenericRecord.create(table.schema());
                for (Doc doc : docs) {
                    GenericRecord record = template.copy();
                    record.setField("id", doc.id());
                    record.setField("text", doc.text());
                    record.setField("_kiln_source_uri", "file:///data/raw/docs.jsonl");
                    record.setField("_kiln_source_sha256", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
                    record.setField("_kiln_source_pos", "line:" + doc.id());
                    record.setField("_kiln_job_id", "job-test");
                    record.setField("_kiln_recipe", "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae");
                    writer.write(record);
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        table.newAppend().appendFile(writer.toDataFile()).commit();
        table.refresh();
        return table.currentSnapshot().snapshotId();
    }

    static List<Doc> docs(int from, int count) {
        return java.util.stream.IntStream.range(from, from + count)
                .mapToObj(i -> new Doc("doc-" + i, "Paragraph number " + i + " of a perfectly ordinary text."))
                .toList();
    }

    @Override
    public void close() throws IOException {
        catalog.close();
    }
}
