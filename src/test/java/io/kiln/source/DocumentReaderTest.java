package io.kiln.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kiln.transform.Column;
import io.kiln.transform.Row;

class DocumentReaderTest {
    private static final int MAX_RECORD_BYTES = 8 << 20;
    private static final DocumentLimits LIMITS = DocumentLimits.defaults(MAX_RECORD_BYTES);

    @TempDir
    Path temp;

    @Test
    void extractsTextTitleTypeAndLanguageFromEachFormat() throws IOException {
        assertThat(document("page.html")).isEqualTo(row("page.html", "Bienvenue\n\nCe guide explique comment préparer un four.\n\n\nLa cuisson dure huit heures.",
                "text/html", "Guide de démarrage", "fr"));
        assertThat(document("notes.md")).isEqualTo(row("notes.md",
                "# Firing Notes\n\nBisque firing comes first, at a lower temperature.\n\n- Load the kiln loosely.\n- Glaze firing follows.",
                "text/markdown", "Firing Notes", null));
        assertThat(document("manual.pdf")).isEqualTo(row("manual.pdf",
                "Kiln operator manual.\n\nChapter one explains how a job is planned.\n\nEvery input file is hashed before it is read.",
                "application/pdf", "Kiln Operator Manual", null));
        assertThat(document("report.docx")).isEqualTo(row("report.docx",
                "Revenue grew by four percent in the third quarter.\nThe warehouse in Leeds opened in September.",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Quarterly Report", "en-GB"));
        assertThat(document("letter.rtf")).isEqualTo(row("letter.rtf", "Dear reader,\nThis letter states our intent to build a kiln.",
                "application/rtf", "Letter of Intent", null));
        assertThat(document("book.epub")).isEqualTo(row("book.epub",
                "Chapter One\nClay is shaped before it is fired.\nChapter Two\nThe kiln turns clay into stoneware.",
                "application/epub+zip", "The Kiln Book", "en"));
        assertThat(document("message.eml")).isEqualTo(row("message.eml", "The quarterly numbers are final.\r\nRevenue grew by four percent.",
                "message/rfc822", "Quarterly numbers", null));
    }

    @Test
    void anEmailKeepsItsSubjectAsTitleAndNoSenderColumn() throws IOException {
        Row email = document("message.eml");
        assertThat(email.columns()).containsOnlyKeys("text", "title", "content_type");
        assertThat(email.string("title")).contains("Quarterly numbers");
    }

    @Test
    void readsOneRecordPerMboxMessageWithNumberedIds() throws IOException {
        List<SourceRecord> records = read(fixture("archive.mbox"), SourceFormat.DOCUMENT, LIMITS);
        assertThat(records).extracting(SourceRecord::position).containsExactly("message:1", "message:2", "message:3");
        assertThat(records).extracting(record -> ((SourceRecord.Parsed) record).row())
                .containsExactly(
                        row("archive.mbox#1", "The kiln reached cone six.\nFrom here on the body quotes an envelope line.", "message/rfc822", "First message", null),
                        row("archive.mbox#2", "Glaze tests look good.", "message/rfc822", "Second message", null),
                        row("archive.mbox#3", "Shelves were reloaded for Friday.", "message/rfc822", "Third message", null));
    }

    @Test
    void rejectsAnMboxMessageOverTheSizeLimitAndReadsTheNextOne() throws IOException {
        Path mbox = temp.resolve("big.mbox");
        Files.writeString(mbox, message("a@example.org", "Large", "x".repeat(5000)) + "\n" + message("b@example.org", "Small", "small body"));
        List<SourceRecord> records = read(mbox, SourceFormat.DOCUMENT, new DocumentLimits(Duration.ofSeconds(30), MAX_RECORD_BYTES, 2000));
        assertThat(records).hasSize(2);
        SourceRecord.Malformed large = (SourceRecord.Malformed) records.get(0);
        assertThat(large.reason()).isEqualTo("too-large");
        assertThat(large.detail()).isEqualTo("message is larger than the limit of 2000 bytes");
        assertThat(large.raw()).startsWith("From: a@example.org");
        assertThat(((SourceRecord.Parsed) records.get(1)).row()).isEqualTo(row("big.mbox#2", "small body", "message/rfc822", "Small", null));
    }

    @Test
    void autoDetectsTheFormatByContentNotByName() throws IOException {
        Path html = copy("page.html", "page.txt");
        Path pdf = copy("manual.pdf", "manual.bin");
        Path docx = copy("report.docx", "report.data");
        Path mbox = copy("archive.mbox", "archive.txt");
        Path jsonl = Files.writeString(temp.resolve("records.txt"), "{\"id\": \"a\", \"text\": \"one\"}\n{\"id\": \"b\", \"text\": \"two\"}\n");
        Path gzipped = temp.resolve("records.data");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gzipped))) {
            out.write(Files.readAllBytes(jsonl));
        }
        Path plain = Files.writeString(temp.resolve("plain.dat"), "just plain text\nsecond line\n");
        Path latin1 = Files.write(temp.resolve("latin1.txt"), "Caf\u00e9 cr\u00e8me\n".getBytes(StandardCharsets.ISO_8859_1));

        assertThat(parsedRows(html, SourceFormat.AUTO)).singleElement().satisfies(row -> {
            assertThat(row.string("content_type")).contains("text/html");
            assertThat(row.string("title")).contains("Guide de démarrage");
        });
        assertThat(parsedRows(pdf, SourceFormat.AUTO)).singleElement()
                .satisfies(row -> assertThat(row.string("content_type")).contains("application/pdf"));
        assertThat(parsedRows(docx, SourceFormat.AUTO)).singleElement()
                .satisfies(row -> assertThat(row.string("title")).contains("Quarterly Report"));
        assertThat(parsedRows(mbox, SourceFormat.AUTO)).extracting(Row::id).containsExactly("archive.txt#1", "archive.txt#2", "archive.txt#3");
        assertThat(parsedRows(jsonl, SourceFormat.AUTO)).containsExactly(Row.text("a", "one"), Row.text("b", "two"));
        assertThat(parsedRows(gzipped, SourceFormat.AUTO)).containsExactly(Row.text("a", "one"), Row.text("b", "two"));
        assertThat(parsedRows(plain, SourceFormat.AUTO)).containsExactly(Row.text("plain.dat", "just plain text\nsecond line\n").with("content_type", "text/plain"));
        assertThat(parsedRows(latin1, SourceFormat.AUTO)).containsExactly(Row.text("latin1.txt", "Café crème").with("content_type", "text/plain"));
    }

    @Test
    void theFileNameOnlyRefinesWhatTheContentSays() throws IOException {
        Path markdown = copy("notes.md", "notes.md");
        Path sameAsText = copy("notes.md", "notes.txt");
        assertThat(parsedRows(markdown, SourceFormat.AUTO)).singleElement()
                .satisfies(row -> assertThat(row.string("content_type")).contains("text/markdown"));
        assertThat(parsedRows(sameAsText, SourceFormat.AUTO)).singleElement()
                .satisfies(row -> assertThat(row.string("content_type")).contains("text/plain"));
    }

    @Test
    void eachBadDocumentIsARejectWithItsReasonAndTheNextFileIsRead() throws IOException {
        Map<Path, String> expected = new LinkedHashMap<>();
        Path encrypted = temp.resolve("encrypted.pdf");
        DocumentFixtures.encryptedPdf(encrypted);
        expected.put(encrypted, "encrypted");
        Path bomb = temp.resolve("bomb.zip");
        DocumentFixtures.compressionBomb(bomb);
        expected.put(bomb, "zip-bomb");
        Path nested = temp.resolve("nested.zip");
        DocumentFixtures.nestedZip(nested, 14);
        expected.put(nested, "zip-bomb");
        expected.put(fixture("junk.bin"), "unsupported-type");
        byte[] pdf = Files.readAllBytes(fixture("manual.pdf"));
        expected.put(Files.write(temp.resolve("truncated.pdf"), java.util.Arrays.copyOf(pdf, 300)), "unparseable");
        byte[] docx = Files.readAllBytes(fixture("report.docx"));
        expected.put(Files.write(temp.resolve("truncated.docx"), java.util.Arrays.copyOf(docx, 1200)), "unparseable");
        expected.put(Files.writeString(temp.resolve("empty.html"), "<html><body>  </body></html>"), "no-text");
        expected.put(Files.write(temp.resolve("empty.txt"), new byte[0]), "no-text");
        expected.put(Files.writeString(temp.resolve("deep.html"), "<ul><li>".repeat(120) + "deep" + "</li></ul>".repeat(120)), "too-deep");

        for (Map.Entry<Path, String> bad : expected.entrySet()) {
            List<SourceRecord> records = read(bad.getKey(), SourceFormat.DOCUMENT, LIMITS);
            assertThat(records).as(bad.getKey().getFileName().toString()).singleElement()
                    .isInstanceOfSatisfying(SourceRecord.Malformed.class, malformed -> {
                        assertThat(malformed.reason()).isEqualTo(bad.getValue());
                        assertThat(malformed.position()).isEqualTo("doc:0");
                        assertThat(malformed.detail()).doesNotContain("Exception").doesNotContainPattern("@[0-9a-f]{4,}");
                    });
            assertThat(parsedRows(fixture("page.html"), SourceFormat.DOCUMENT)).hasSize(1);
        }
    }

    @Test
    void rejectsADocumentOverTheByteOrTextLimitAsTooLarge() throws IOException {
        Path html = Files.writeString(temp.resolve("long.html"), "<html><body><p>" + "word ".repeat(2000) + "</p></body></html>");
        List<SourceRecord> overText = read(html, SourceFormat.DOCUMENT, new DocumentLimits(Duration.ofSeconds(30), 1000, 1 << 20));
        assertThat(overText).singleElement().isInstanceOfSatisfying(SourceRecord.Malformed.class, malformed -> {
            assertThat(malformed.reason()).isEqualTo("too-large");
            assertThat(malformed.detail()).isEqualTo("the document has more text than the limit of 1000 characters");
            assertThat(malformed.raw()).startsWith("<html><body><p>word");
        });
        List<SourceRecord> overBytes = read(fixture("manual.pdf"), SourceFormat.DOCUMENT, new DocumentLimits(Duration.ofSeconds(30), 1000, 500));
        assertThat(overBytes).singleElement().isInstanceOfSatisfying(SourceRecord.Malformed.class, malformed -> {
            assertThat(malformed.reason()).isEqualTo("too-large");
            assertThat(malformed.detail()).isEqualTo("document is larger than the limit of 500 bytes");
            assertThat(malformed.raw()).isEmpty();
        });
    }

    @Test
    void aParseOverItsTimeIsRejectedAndItsWorkerStops() throws Exception {
        Path html = Files.writeString(temp.resolve("slow.html"), "<html><body>" + "<p>paragraph of text</p>".repeat(200_000) + "</body></html>");
        List<SourceRecord> records = read(html, SourceFormat.DOCUMENT, LIMITS.withParseTimeout(Duration.ofMillis(1)));
        assertThat(records).singleElement().isInstanceOfSatisfying(SourceRecord.Malformed.class, malformed -> {
            assertThat(malformed.reason()).isEqualTo("timeout");
            assertThat(malformed.detail()).isEqualTo("parsing took longer than the limit of 1 ms");
        });
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (DocumentExtractor.runningParses() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(DocumentExtractor.runningParses()).isZero();
        assertThat(parsedRows(fixture("page.html"), SourceFormat.DOCUMENT)).hasSize(1);
    }

    @Test
    void hashesEveryByteOfTheFileWhateverTheParserReads() throws IOException {
        Path bigHtml = Files.writeString(temp.resolve("big.html"), "<html><body><p>" + "text ".repeat(2_000_000) + "</p></body></html>");
        Path mbox = fixture("archive.mbox");
        for (Path file : List.of(fixture("manual.pdf"), fixture("report.docx"), mbox, bigHtml)) {
            InputFile input = input(file, file.getFileName().toString());
            long[] bytes = new long[1];
            String sha256;
            try (RecordReader reader = SourceFormat.DOCUMENT.open(input, "", ReadOptions.text(FieldMapping.DEFAULT, MAX_RECORD_BYTES, LIMITS), n -> bytes[0] += n)) {
                while (reader.next().isPresent()) {
                    // read all
                }
                sha256 = reader.finish();
            }
            assertThat(sha256).as(file.getFileName().toString()).isEqualTo(HashingInput.sha256Hex(input));
            assertThat(bytes[0]).isEqualTo(Files.size(file));
        }
    }

    @Test
    void theSameBytesGiveTheSameRows() throws IOException {
        for (String name : List.of("page.html", "manual.pdf", "report.docx", "book.epub", "archive.mbox")) {
            assertThat(parsedRows(fixture(name), SourceFormat.DOCUMENT)).isEqualTo(parsedRows(copy(name, name), SourceFormat.DOCUMENT));
        }
    }

    @Test
    void documentFormatsDeclareTheirColumnsAndRecordTheExtractor() {
        assertThat(SourceFormat.JSONL.columns()).isEmpty();
        assertThat(SourceFormat.TEXT.columns()).isEmpty();
        assertThat(SourceFormat.DOCUMENT.columns()).extracting(Column::name).containsExactly("title", "content_type", "source_language");
        assertThat(SourceFormat.AUTO.columns()).isEqualTo(SourceFormat.DOCUMENT.columns());
        assertThat(SourceFormat.JSONL.recipe(options(FieldMapping.DEFAULT))).isEqualTo(Map.of("format", "jsonl", "fields", Map.of("id", "id", "text", "text")));
        assertThat(SourceFormat.TEXT.recipe(options(FieldMapping.DEFAULT))).isEqualTo(Map.of("format", "text", "fields", Map.of()));
        assertThat(SourceFormat.DOCUMENT.recipe(options(FieldMapping.DEFAULT))).isEqualTo(Map.of("format", "document", "fields", Map.of("extractor", "tika-3.3.1")));
        assertThat(SourceFormat.AUTO.recipe(options(new FieldMapping("key", "body"))))
                .isEqualTo(Map.of("format", "auto", "fields", Map.of("id", "key", "text", "body", "extractor", "tika-3.3.1")));
    }

    private static ReadOptions options(FieldMapping fields) {
        return ReadOptions.text(fields, MAX_RECORD_BYTES, LIMITS);
    }

    private static String message(String from, String subject, String body) {
        return "From " + from + " Mon Mar  2 10:00:00 2026\nFrom: " + from + "\nSubject: " + subject
                + "\nContent-Type: text/plain; charset=utf-8\n\n" + body + "\n";
    }

    private static Row row(String id, String text, String contentType, String title, String language) {
        Row row = Row.text(id, text).with("content_type", contentType);
        if (title != null) {
            row = row.with("title", title);
        }
        return language == null ? row : row.with("source_language", language);
    }

    private Row document(String name) throws IOException {
        List<Row> rows = parsedRows(fixture(name), SourceFormat.DOCUMENT);
        assertThat(rows).as(name).hasSize(1);
        return rows.get(0);
    }

    private static Path fixture(String name) {
        return DocumentFixtures.DIRECTORY.resolve(name);
    }

    private Path copy(String fixture, String name) throws IOException {
        Path directory = Files.createDirectories(temp.resolve("copies"));
        return Files.copy(fixture(fixture), directory.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static List<Row> parsedRows(Path file, SourceFormat format) throws IOException {
        List<Row> rows = new ArrayList<>();
        for (SourceRecord record : read(file, format, LIMITS)) {
            assertThat(record).as(file.getFileName() + ": " + record).isInstanceOf(SourceRecord.Parsed.class);
            rows.add(((SourceRecord.Parsed) record).row());
        }
        return rows;
    }

    private static InputFile input(Path file, String relativeName) throws IOException {
        return new InputFile(file.toUri().toString(), file, relativeName, Files.size(file));
    }

    private static List<SourceRecord> read(Path file, SourceFormat format, DocumentLimits limits) throws IOException {
        List<SourceRecord> records = new ArrayList<>();
        InputFile input = input(file, file.getFileName().toString());
        try (RecordReader reader = format.open(input, "", ReadOptions.text(FieldMapping.DEFAULT, MAX_RECORD_BYTES, limits), n -> {})) {
            Optional<SourceRecord> record;
            while ((record = reader.next()).isPresent()) {
                records.add(record.get());
            }
            reader.finish();
        }
        return records;
    }
}
