package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kiln.error.KilnException;
import io.kiln.error.Violation;

/** Filtering a table at ingest: rows dropped by a condition with a reason, columns selected or dropped before the table gets them. */
class FilterSelectJobsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEMA = "[{\"name\": \"text\", \"type\": \"string\"}, {\"name\": \"stars\", \"type\": \"int\"}, "
            + "{\"name\": \"verified\", \"type\": \"boolean\"}, {\"name\": \"email\", \"type\": \"string\"}]";

    @TempDir
    Path temp;
    PipelineHarness harness;
    Path file;

    @BeforeEach
    void catalog() throws IOException {
        harness = new PipelineHarness(temp, List.of(temp));
        file = Files.writeString(temp.resolve("reviews.jsonl"), """
                {"id": "r1", "text": "arrived on time", "stars": 5, "verified": true, "email": "a@example.org"}
                {"id": "r2", "text": "broken", "stars": 1, "verified": false, "email": "b@example.org"}
                {"id": "r3", "text": "fine", "stars": 3, "email": "c@example.org"}
                {"id": "r4", "text": "awful", "stars": 1, "verified": true, "email": "d@example.org"}
                """);
    }

    @AfterEach
    void close() throws IOException {
        harness.close();
    }

    private JobSpec spec(List<StepSpec> steps) throws IOException {
        return new JobSpec("shop.reviews", new SourceSpec("file://" + file, "jsonl", Map.of(), JSON.readTree(SCHEMA), null, null, null, null, null), steps, null, 0.9, null);
    }

    @Test
    void dropsRowsByAConditionWithAReasonAndTheTableNeverGetsADroppedColumn() throws IOException {
        IngestPipeline.Result result = harness.run("filtered", spec(List.of(
                new StepSpec("filter", Map.of("drop", "stars < 2 and verified = false", "reason", "low-rating")),
                new StepSpec("select", Map.of("drop", List.of("email"))))), 2, 1);
        assertThat(result.read()).isEqualTo(4);
        assertThat(result.written()).isEqualTo(3);
        assertThat(result.rejectedByReason()).containsExactly(Map.entry("filter@1/low-rating", 1L));
        Table table = harness.catalog.loadTable(TableIdentifier.of("shop", "reviews"));
        assertThat(table.schema().findField("email")).as("the dropped column").isNull();
        assertThat(table.schema().findField("stars")).isNotNull();
        assertThat(PipelineHarness.rows(table)).extracting(row -> row.getField("id")).containsExactlyInAnyOrder("r1", "r3", "r4");
        List<Record> rejects = PipelineHarness.rows(harness.catalog.loadTable(TableIdentifier.of("shop", "reviews__rejects")));
        assertThat(rejects).singleElement().satisfies(reject -> {
            assertThat(reject.getField("record_id")).isEqualTo("r2");
            assertThat(reject.getField("detail")).isEqualTo("matches stars < 2 and verified = false");
        });

        harness.run("selected", new JobSpec("shop.kept", spec(List.of()).source(), List.of(new StepSpec("filter", Map.of("keep", "verified = true")),
                new StepSpec("select", Map.of("columns", List.of("text", "stars")))), null, 0.9, null), 1, 10);
        Table kept = harness.catalog.loadTable(TableIdentifier.of("shop", "kept"));
        assertThat(kept.schema().findField("verified")).isNull();
        assertThat(kept.schema().findField("email")).isNull();
        assertThat(PipelineHarness.rows(kept)).extracting(row -> row.getField("id") + " " + row.getField("stars")).containsExactlyInAnyOrder("r1 5", "r4 1");
    }

    @Test
    void aConditionOrAColumnTheRowsLackIsA400NamingIt() {
        assertThatThrownBy(() -> harness.binder.bind(spec(List.of(new StepSpec("filter", Map.of("drop", "strs < 2")))))).isInstanceOf(KilnException.class)
                .satisfies(e -> assertThat(((KilnException) e).violations()).anySatisfy(violation -> {
                    assertThat(violation.field()).isEqualTo("steps[0].params.drop");
                    assertThat(violation.message()).contains("strs").contains("the rows have the columns id, text, stars, verified, email");
                }));
        assertThatThrownBy(() -> harness.binder.bind(spec(List.of(new StepSpec("select", Map.of("drop", List.of("email"))),
                new StepSpec("filter", Map.of("drop", "email = 'x'")))))).isInstanceOf(KilnException.class)
                .satisfies(e -> assertThat(((KilnException) e).violations()).extracting(Violation::field).contains("steps[1].params.drop"));
        assertThatThrownBy(() -> harness.binder.bind(spec(List.of(new StepSpec("select", Map.of("columns", List.of("text", "rating"))))))).isInstanceOf(KilnException.class)
                .satisfies(e -> assertThat(((KilnException) e).violations()).anySatisfy(violation -> {
                    assertThat(violation.field()).isEqualTo("steps[0].params.columns");
                    assertThat(violation.message()).contains("no column 'rating'");
                }));
    }
}
