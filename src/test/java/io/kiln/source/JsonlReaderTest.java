package io.kiln.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kiln.transform.Row;

class JsonlReaderTest {
    @TempDir
    Path temp;

    @Test
    void readsRecordsAndTurnsBadLinesIntoMalformedRecordsWithReasons() throws IOException {
        Path file = temp.resolve("mixed.jsonl");
        Files.writeString(file, String.join("\n",
                "{\"id\": \"1\", \"text\": \"one\"}",
                "",
                "{\"id\": 2, \"text\": \"two\"}\r",
                "{\"id\": \"3\", \"text\": ",
                "[1, 2]",
                "{\"text\": \"no id\"}",
                "{\"id\": \"6\", \"text\": 6}",
                "{\"id\": \"7\", \"text\": \"seven\"} trailing",
                "{\"meta\": {\"key\": \"8\"}, \"body\": \"nested\"}") + "\n");
        List<SourceRecord> records = readAll(file, new FieldMapping("id", "text"), 1024);
        assertThat(records).hasSize(8);
        assertThat(records.get(0)).isEqualTo(new SourceRecord.Parsed(Row.text("1", "one"), "line:1"));
        assertThat(records.get(1)).isEqualTo(new SourceRecord.Parsed(Row.text("2", "two"), "line:3"));
        assertThat(records.subList(2, 8)).extracting(record -> ((SourceRecord.Malformed) record).reason())
                .containsExactly("malformed-json", "not-an-object", "missing-id", "invalid-text", "malformed-json", "missing-id");
        SourceRecord.Malformed truncated = (SourceRecord.Malformed) records.get(2);
        assertThat(truncated.position()).isEqualTo("line:4");
        assertThat(truncated.raw()).isEqualTo("{\"id\": \"3\", \"text\": ");
        assertThat(truncated.detail()).doesNotContain("com.fasterxml").doesNotContain("Exception");

        List<SourceRecord> nested = readAll(file, new FieldMapping("meta.key", "body"), 1024);
        assertThat(nested.get(7)).isEqualTo(new SourceRecord.Parsed(Row.text("8", "nested"), "line:9"));
    }

    @Test
    void malformedJsonIsDescribedInPlainWordsWithoutTheParsersNames() throws IOException {
        Path file = temp.resolve("hostile.jsonl");
        Files.writeString(file, String.join("\n",
                "{\"id\": \"1\", \"text\": \"deep\", \"x\": " + "[".repeat(1500) + "]".repeat(1500) + "}",
                "{\"id\": \"2\", \"text\": NaN}",
                "{\"id\": \"3\", \"text\": \"open\", \"x\": {\"y\": 1") + "\n");
        List<SourceRecord> records = readAll(file, FieldMapping.DEFAULT, 1 << 20);
        assertThat(records).extracting(record -> ((SourceRecord.Malformed) record).reason()).containsOnly("malformed-json");
        assertThat(((SourceRecord.Malformed) records.get(0)).detail()).isEqualTo("nested deeper than 1000 levels");
        assertThat(records).extracting(record -> ((SourceRecord.Malformed) record).detail()).allSatisfy(detail -> assertThat(detail)
                .doesNotContain("`").doesNotContain("StreamReadConstraints").doesNotContain("JsonReadFeature").doesNotContain("Source:")
                .doesNotContain("REDACTED").doesNotContain("Exception").doesNotContain("jackson"));
    }

    @Test
    void readsGzipDetectedByContentAndHashesTheCompressedFile() throws IOException {
        Path file = temp.resolve("docs.data");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            for (int i = 0; i < 1000; i++) {
                out.write(("{\"id\": \"" + i + "\", \"text\": \"text " + i + "\"}\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        InputFile input = new InputFile(file.toUri().toString(), file, "docs.data", Files.size(file));
        String sha256;
        List<SourceRecord> records = new ArrayList<>();
        long[] bytes = new long[1];
        try (RecordReader reader = SourceFormat.JSONL.open(input, "", ReadOptions.text(FieldMapping.DEFAULT, 1024, DocumentLimits.defaults(1024)), n -> bytes[0] += n)) {
            Optional<SourceRecord> record;
            while ((record = reader.next()).isPresent()) {
                records.add(record.get());
            }
            sha256 = reader.finish();
        }
        assertThat(records).hasSize(1000).allMatch(SourceRecord.Parsed.class::isInstance);
        assertThat(records.get(999)).isEqualTo(new SourceRecord.Parsed(Row.text("999", "text 999"), "line:1000"));
        assertThat(sha256).isEqualTo(HashingInput.sha256Hex(input));
        assertThat(bytes[0]).isEqualTo(Files.size(file));
    }

    @Test
    void rejectsALineLongerThanTheLimitWithoutHoldingItAndReadsOn() throws IOException {
        Path file = temp.resolve("long.jsonl");
        Files.writeString(file, "{\"id\": \"big\", \"text\": \"" + "x".repeat(100_000) + "\"}\n{\"id\": \"small\", \"text\": \"ok\"}\n");
        List<SourceRecord> records = readAll(file, FieldMapping.DEFAULT, 1000);
        SourceRecord.Malformed big = (SourceRecord.Malformed) records.get(0);
        assertThat(big.reason()).isEqualTo("record-too-large");
        assertThat(big.raw()).hasSize(1000);
        assertThat(records.get(1)).isEqualTo(new SourceRecord.Parsed(Row.text("small", "ok"), "line:2"));
    }

    @Test
    void aTextFileIsOneDocumentAndInvalidUtf8IsMalformed() throws IOException {
        Path good = Files.writeString(temp.resolve("good.txt"), "\uFEFFHello\nworld");
        Path bad = Files.write(temp.resolve("bad.txt"), new byte[] {'o', 'k', (byte) 0xC3, (byte) 0x28});
        List<SourceRecord> goodRecords = readAll(good, SourceFormat.TEXT);
        assertThat(goodRecords).containsExactly(new SourceRecord.Parsed(Row.text("good.txt", "Hello\nworld"), "doc:0"));
        List<SourceRecord> badRecords = readAll(bad, SourceFormat.TEXT);
        assertThat(badRecords).singleElement().extracting(record -> ((SourceRecord.Malformed) record).reason()).isEqualTo("invalid-utf8");
    }

    /** Invalid UTF-8, each with what the reject says of it. */
    static final List<Map.Entry<byte[], String>> INVALID_UTF8 = List.of(
            Map.entry(new byte[] {(byte) 0xC0, (byte) 0xAF}, "overlong"),
            Map.entry(new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, "overlong"),
            Map.entry(new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, "above U+10FFFF"),
            Map.entry(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, "surrogate"),
            Map.entry(new byte[] {(byte) 0xE2, (byte) 0x82}, "cut short"),
            Map.entry(new byte[] {(byte) 0x80}, "continuation byte"),
            Map.entry(new byte[] {(byte) 0xFF}, "never appears in UTF-8"));

    /** A line of JSON whose text holds {@code bytes} after an "a": the bad byte is at {@code prefix(id).length + 1} (from 1). */
    static String prefix(String id) {
        return "{\"id\": \"" + id + "\", \"text\": \"a";
    }

    static byte[] linesWithInvalidUtf8() throws IOException {
        java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
        file.write("{\"id\": \"first\", \"text\": \"caf\u00e9 \u20ac \uD83D\uDE00\"}\n".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < INVALID_UTF8.size(); i++) {
            file.write(prefix(Integer.toString(i)).getBytes(StandardCharsets.UTF_8));
            file.write(INVALID_UTF8.get(i).getKey());
            file.write("b\"}\n".getBytes(StandardCharsets.UTF_8));
        }
        file.write("{\"id\": \"last\", \"text\": \"fine\"}".getBytes(StandardCharsets.UTF_8));
        file.write(new byte[] {(byte) 0xC3, '\n'});
        file.write("{\"id\": \"after\", \"text\": \"still read\"}\n".getBytes(StandardCharsets.UTF_8));
        return file.toByteArray();
    }

    @Test
    void everyInvalidUtf8SequenceIsARejectOfItsLineNamingTheByteAndTheFileReadsOn() throws IOException {
        Path file = Files.write(temp.resolve("invalid.jsonl"), linesWithInvalidUtf8());
        List<SourceRecord> records = readAll(file, FieldMapping.DEFAULT, 1024);

        assertThat(records).hasSize(INVALID_UTF8.size() + 3);
        assertThat(records.get(0)).isEqualTo(new SourceRecord.Parsed(Row.text("first", "caf\u00e9 \u20ac \uD83D\uDE00"), "line:1"));
        for (int i = 0; i < INVALID_UTF8.size(); i++) {
            SourceRecord.Malformed reject = (SourceRecord.Malformed) records.get(i + 1);
            assertThat(reject.reason()).as("line %d", i + 2).isEqualTo("invalid-utf8");
            assertThat(reject.position()).isEqualTo("line:" + (i + 2));
            assertThat(reject.detail()).contains("byte " + (prefix(Integer.toString(i)).length() + 1)).contains(INVALID_UTF8.get(i).getValue());
        }
        SourceRecord.Malformed cutAtTheEnd = (SourceRecord.Malformed) records.get(INVALID_UTF8.size() + 1);
        assertThat(cutAtTheEnd.reason()).isEqualTo("invalid-utf8");
        assertThat(cutAtTheEnd.detail()).contains("cut short");
        assertThat(records.get(INVALID_UTF8.size() + 2)).isEqualTo(new SourceRecord.Parsed(Row.text("after", "still read"), "line:" + (INVALID_UTF8.size() + 3)));
    }

    @Test
    void aUtf16FileWithAByteOrderMarkIsDecodedWhole() throws IOException {
        String text = "{\"id\": \"1\", \"text\": \"caf\u00e9\"}\r\n\n{\"id\": \"2\", \"text\": \"\uD83D\uDE00 two\"}\n{\"id\": \"3\", \"text\": \"\u0a00\u0100\"}\n";
        for (java.nio.charset.Charset utf16 : List.of(StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE)) {
            Path file = Files.write(temp.resolve("utf16-" + utf16.name() + ".jsonl"), ("\uFEFF" + text).getBytes(utf16));
            assertThat(readAll(file, FieldMapping.DEFAULT, 1024)).as(utf16.name()).containsExactly(
                    new SourceRecord.Parsed(Row.text("1", "caf\u00e9"), "line:1"),
                    new SourceRecord.Parsed(Row.text("2", "\uD83D\uDE00 two"), "line:3"),
                    new SourceRecord.Parsed(Row.text("3", "\u0a00\u0100"), "line:4"));
        }
    }

    @Test
    void aUtf16FileWithoutAByteOrderMarkIsRejectedLineByLineNeverHalfDecoded() throws IOException {
        String text = "{\"id\": \"1\", \"text\": \"one\"}\n{\"id\": \"2\", \"text\": \"two\"}\n";
        for (java.nio.charset.Charset utf16 : List.of(StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE)) {
            Path file = Files.write(temp.resolve("bare-" + utf16.name() + ".jsonl"), text.getBytes(utf16));
            assertThat(readAll(file, FieldMapping.DEFAULT, 1024)).as(utf16.name()).isNotEmpty().allMatch(SourceRecord.Malformed.class::isInstance);
        }
    }

    private static List<SourceRecord> readAll(Path file, FieldMapping fields, int maxRecordBytes) throws IOException {
        return readAll(file, SourceFormat.JSONL, fields, maxRecordBytes);
    }

    private static List<SourceRecord> readAll(Path file, SourceFormat format) throws IOException {
        return readAll(file, format, FieldMapping.DEFAULT, 1 << 20);
    }

    private static List<SourceRecord> readAll(Path file, SourceFormat format, FieldMapping fields, int maxRecordBytes) throws IOException {
        InputFile input = new InputFile(file.toUri().toString(), file, file.getFileName().toString(), Files.size(file));
        List<SourceRecord> records = new ArrayList<>();
        try (RecordReader reader = format.open(input, "", ReadOptions.text(fields, maxRecordBytes, DocumentLimits.defaults(maxRecordBytes)), n -> {})) {
            Optional<SourceRecord> record;
            while ((record = reader.next()).isPresent()) {
                records.add(record.get());
            }
            reader.finish();
        }
        return records;
    }
}
