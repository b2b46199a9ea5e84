package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.ZstdOutputStream;

/**
 * A compressed input that cannot be decompressed (cut short, or junk after the magic bytes) is a
 * reject of that file ({@code unreadable-input}), in plain words; the files beside it land and the
 * counts reconcile.
 */
class CorruptInputsTest {
    @TempDir
    Path temp;
    Path inputs;
    PipelineHarness harness;

    @BeforeEach
    void harness() throws IOException {
        inputs = Files.createDirectories(temp.resolve("inputs"));
        harness = new PipelineHarness(temp, List.of(inputs));
    }

    @AfterEach
    void close() throws IOException {
        harness.close();
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    private static byte[] zstd(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new ZstdOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    private static String lines(String prefix, int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append("{\"id\": \"").append(prefix).append(i).append("\", \"text\": \"text ").append(i).append(" of ").append(prefix)
                    .append(" with enough words to be worth compressing\"}\n");
        }
        return text.toString();
    }

    /** Cut short: half its bytes. */
    private static byte[] truncated(byte[] compressed) {
        return Arrays.copyOf(compressed, compressed.length / 2);
    }

    /** The gzip magic bytes, then junk. */
    private static byte[] junkAfterMagic() {
        byte[] junk = "this is not deflate data at all, only junk".getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = new byte[2 + junk.length];
        bytes[0] = 0x1f;
        bytes[1] = (byte) 0x8b;
        System.arraycopy(junk, 0, bytes, 2, junk.length);
        return bytes;
    }

    private List<Record> rejects(String table) throws IOException {
        return PipelineHarness.rows(harness.catalog.loadTable(TableIdentifier.parse(table + "__rejects")));
    }

    private static void assertPlainWords(List<Record> rejects) {
        assertThat(rejects).allSatisfy(reject -> assertThat((String) reject.getField("detail"))
                .doesNotContain("Exception").doesNotContain("java.").doesNotContain("com.github").doesNotContain("\tat "));
    }

    @Test
    void aTruncatedOrJunkGzipJsonlFileIsARejectAndTheGoodFilesBesideItLand() throws IOException {
        Files.write(inputs.resolve("a-good.jsonl.gz"), gzip(lines("a", 3)));
        Files.write(inputs.resolve("b-truncated.jsonl.gz"), truncated(gzip(lines("b", 2000))));
        Files.write(inputs.resolve("c-junk.jsonl.gz"), junkAfterMagic());
        Files.write(inputs.resolve("d-good.jsonl.gz"), gzip(lines("d", 4)));

        IngestPipeline.Result result = harness.run("corrupt-gzip", new JobSpec("corrupt.gzip",
                new SourceSpec("file://" + inputs + "/*.jsonl.gz", "jsonl", Map.of("id", "id", "text", "text")), List.of(), null, null, null), 2, 5);

        List<Record> rows = PipelineHarness.rows(harness.catalog.loadTable(TableIdentifier.parse("corrupt.gzip")));
        List<String> ids = rows.stream().map(row -> (String) row.getField("id")).toList();
        assertThat(ids).contains("a0", "a1", "a2", "d0", "d1", "d2", "d3");
        // what the truncated file gave before it broke off is kept: a prefix of its lines
        List<String> fromTruncated = ids.stream().filter(id -> id.startsWith("b")).sorted((x, y) -> Integer.compare(
                Integer.parseInt(x.substring(1)), Integer.parseInt(y.substring(1)))).toList();
        for (int i = 0; i < fromTruncated.size(); i++) {
            assertThat(fromTruncated.get(i)).isEqualTo("b" + i);
        }
        assertThat(fromTruncated.size()).isLessThan(2000);
        assertThat(result.written()).isEqualTo(7 + fromTruncated.size());
        assertThat(result.rejectedByReason()).containsExactly(Map.entry("extract/unreadable-input", 2L));
        assertThat(result.read()).isEqualTo(result.written() + result.rejected());

        List<Record> rejects = rejects("corrupt.gzip");
        assertThat(rejects).extracting(reject -> reject.getField("_kiln_source_uri").toString().replaceAll(".*/", ""))
                .containsExactlyInAnyOrder("b-truncated.jsonl.gz", "c-junk.jsonl.gz");
        assertThat(rejects).extracting(reject -> (String) reject.getField("reason")).containsOnly("unreadable-input");
        Record cut = rejects.stream().filter(reject -> reject.getField("_kiln_source_uri").toString().endsWith("b-truncated.jsonl.gz")).findFirst().orElseThrow();
        assertThat((String) cut.getField("detail")).contains("gzip").contains("ends early").contains(fromTruncated.size() + " records before");
        Record junk = rejects.stream().filter(reject -> reject.getField("_kiln_source_uri").toString().endsWith("c-junk.jsonl.gz")).findFirst().orElseThrow();
        assertThat((String) junk.getField("detail")).contains("not valid gzip data");
        assertPlainWords(rejects);
    }

    @Test
    void aCorruptCompressedCsvOrTypedJsonlFileIsARejectAndTheOthersLand() throws IOException {
        String header = "id,name\n";
        StringBuilder many = new StringBuilder(header);
        for (int i = 0; i < 3000; i++) {
            many.append("m").append(i).append(",name number ").append(i).append(" which is long enough to compress well\n");
        }
        Files.write(inputs.resolve("a-good.csv.gz"), gzip(header + "g1,Ada\ng2,Grace\n"));
        Files.write(inputs.resolve("b-truncated.csv.zst"), truncated(zstd(many.toString())));
        Files.write(inputs.resolve("c-junk.csv.gz"), junkAfterMagic());
        Files.write(inputs.resolve("d-good.csv.zst"), zstd(header + "g3,Edsger\n"));
        String schema = "[{\"name\": \"name\", \"type\": \"string\"}]";
        ObjectMapper json = new ObjectMapper();
        IngestPipeline.Result csv = harness.run("corrupt-csv", new JobSpec("corrupt.csv", new SourceSpec("file://" + inputs + "/*.csv.*", "csv", Map.of(),
                json.readTree(schema), null, null, null, null, null, null), List.of(), null, null, null), 1, 100);

        List<String> ids = PipelineHarness.rows(harness.catalog.loadTable(TableIdentifier.parse("corrupt.csv"))).stream()
                .map(row -> (String) row.getField("id")).toList();
        assertThat(ids).contains("g1", "g2", "g3");
        assertThat(csv.rejectedByReason()).containsExactly(Map.entry("extract/unreadable-input", 2L));
        assertThat(csv.read()).isEqualTo(csv.written() + csv.rejected());
        List<Record> csvRejects = rejects("corrupt.csv");
        assertThat(csvRejects).extracting(reject -> (String) reject.getField("detail"))
                .anySatisfy(detail -> assertThat(detail).contains("zstd"))
                .anySatisfy(detail -> assertThat(detail).contains("not valid gzip data"));
        assertPlainWords(csvRejects);

        Path typed = Files.createDirectories(temp.resolve("inputs/typed"));
        Files.write(typed.resolve("a-good.jsonl.zst"), zstd(lines("t", 2)));
        Files.write(typed.resolve("b-truncated.jsonl.zst"), truncated(zstd(lines("u", 2000))));
        IngestPipeline.Result jsonl = harness.run("corrupt-typed", new JobSpec("corrupt.typed", new SourceSpec("file://" + typed, "jsonl", Map.of(),
                json.readTree("[{\"name\": \"text\", \"type\": \"string\"}]"), null, null, null, null, null, null),
                List.of(), null, null, null), 2, 7);
        assertThat(jsonl.rejectedByReason()).containsExactly(Map.entry("extract/unreadable-input", 1L));
        assertThat(jsonl.written()).isGreaterThanOrEqualTo(2);
        assertThat(jsonl.read()).isEqualTo(jsonl.written() + jsonl.rejected());
    }

    @Test
    void invalidUtf8IsNeverRewrittenAndPublishedButRejectedAndTheRestLands() throws IOException {
        Path jsonl = Files.createDirectories(temp.resolve("inputs/jsonl"));
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        bytes.write("{\"id\": \"good\", \"text\": \"fine\"}\n{\"id\": \"overlong\", \"text\": \"a".getBytes(StandardCharsets.UTF_8));
        bytes.write(new byte[] {(byte) 0xC0, (byte) 0xAF});
        bytes.write("b\"}\n{\"id\": \"beyond\", \"text\": \"".getBytes(StandardCharsets.UTF_8));
        bytes.write(new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80});
        bytes.write("\"}\n{\"id\": \"after\", \"text\": \"also fine\"}\n".getBytes(StandardCharsets.UTF_8));
        Files.write(jsonl.resolve("mixed.jsonl"), bytes.toByteArray());
        Files.write(jsonl.resolve("utf16.jsonl"), "\uFEFF{\"id\": \"wide\", \"text\": \"caf\u00e9\"}\n".getBytes(StandardCharsets.UTF_16LE));

        IngestPipeline.Result text = harness.run("utf8-jsonl", new JobSpec("utf8.jsonl",
                new SourceSpec("file://" + jsonl, "jsonl", Map.of("id", "id", "text", "text")), List.of(), null, null, null), 1, 2);
        assertThat(PipelineHarness.rows(harness.catalog.loadTable(TableIdentifier.parse("utf8.jsonl"))))
                .extracting(row -> row.getField("id") + "=" + row.getField("text")).containsExactlyInAnyOrder("good=fine", "after=also fine", "wide=caf\u00e9");
        assertThat(text.rejectedByReason()).containsExactly(Map.entry("extract/invalid-utf8", 2L));
        assertThat(rejects("utf8.jsonl")).extracting(reject -> reject.getField("_kiln_source_pos") + " " + reject.getField("detail"))
                .containsExactlyInAnyOrder("line:2 byte 30 of the line is not valid UTF-8: an overlong encoding",
                        "line:3 byte 27 of the line is not valid UTF-8: a code point above U+10FFFF");

        Path csv = Files.createDirectories(temp.resolve("inputs/csv"));
        Files.writeString(csv.resolve("a.csv"), "id,name\ng1,Ada\n");
        bytes.reset();
        bytes.write("id,name\nb1,Grace\nb2,".getBytes(StandardCharsets.UTF_8));
        bytes.write(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80});
        bytes.write("\nb3,Edsger\n".getBytes(StandardCharsets.UTF_8));
        Files.write(csv.resolve("b.csv"), bytes.toByteArray());
        Files.writeString(csv.resolve("c.csv"), "id,name\ng2,Barbara\n");
        ObjectMapper json = new ObjectMapper();
        IngestPipeline.Result typed = harness.run("utf8-csv", new JobSpec("utf8.csv", new SourceSpec("file://" + csv, "csv", Map.of(),
                json.readTree("[{\"name\": \"name\", \"type\": \"string\"}]"), null, null, null, null, null, null), List.of(), null, null, null), 1, 100);
        assertThat(PipelineHarness.rows(harness.catalog.loadTable(TableIdentifier.parse("utf8.csv"))))
                .extracting(row -> (String) row.getField("id")).containsExactlyInAnyOrder("g1", "b1", "g2");
        assertThat(typed.rejectedByReason()).containsExactly(Map.entry("extract/invalid-utf8", 1L));
        assertThat(rejects("utf8.csv")).singleElement().satisfies(reject -> assertThat((String) reject.getField("detail"))
                .isEqualTo("line 3 is not valid UTF-8 (declare source.csv.encoding if the file has another); the 1 record before it was read,"
                        + " the rest of the file was not"));
        assertThat(typed.read()).isEqualTo(typed.written() + typed.rejected());
    }
}
