package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.inmemory.InMemoryCatalog;
import org.junit.jupiter.api.Test;

import io.kiln.lake.TableLayout;

/** A snapshot's recorded input manifest, inline or in a file, whole or only its first entries. */
class InputPlanTest {
    @Test
    void aRecordedManifestIsReadWholeOrOnlyAsFarAsTheLimit() throws Exception {
        try (InMemoryCatalog catalog = new InMemoryCatalog()) {
            catalog.initialize("manifests", Map.of());
            catalog.createNamespace(Namespace.of("m"));
            Table table = catalog.createTable(TableIdentifier.of("m", "t"), TableLayout.REJECTS, PartitionSpec.unpartitioned(), TableLayout.properties(1L << 20));
            String location = table.location() + "/kiln-manifests/job-1.jsonl";
            try (Writer writer = new java.io.OutputStreamWriter(table.io().newOutputFile(location).createOrOverwrite(), StandardCharsets.UTF_8)) {
                for (int i = 0; i < 1500; i++) {
                    writer.write("{\"uri\":\"file:///in/" + i + ".jsonl\",\"sha256\":\"" + "0".repeat(64) + "\",\"bytes\":" + i + "}\n");
                }
            }
            Map<String, String> inFile = Map.of(TableLayout.INPUT_MANIFEST_FILE, location);
            assertThat(InputPlan.recorded(table, inFile)).hasSize(1500).last().isEqualTo(new InputPlan.ManifestEntry("file:///in/1499.jsonl", "0".repeat(64), 1499));
            assertThat(InputPlan.recorded(table, inFile, 1000)).hasSize(1000).first().isEqualTo(new InputPlan.ManifestEntry("file:///in/0.jsonl", "0".repeat(64), 0));

            Map<String, String> inline = Map.of(InputPlan.INPUT_MANIFEST, "[{\"uri\":\"file:///a\",\"sha256\":\"s\",\"bytes\":1},{\"uri\":\"file:///b\",\"sha256\":\"t\",\"bytes\":2}]");
            assertThat(InputPlan.recorded(table, inline)).extracting(InputPlan.ManifestEntry::uri).containsExactly("file:///a", "file:///b");
            assertThat(InputPlan.recorded(table, inline, 1)).extracting(InputPlan.ManifestEntry::uri).containsExactly("file:///a");
            assertThat(InputPlan.recorded(table, Map.of())).isEmpty();
        }
    }
}
