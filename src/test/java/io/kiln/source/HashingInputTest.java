package io.kiln.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file is hashed once, from a mapping; reading it again checks what was hashed instead of hashing again. */
class HashingInputTest {
    @TempDir
    Path temp;

    private InputFile input(Path file) throws IOException {
        return new InputFile(file.toUri().toString(), file, file.getFileName().toString(), Files.size(file));
    }

    @Test
    void hashesAFileLargerThanOneWindowAsSha256OfItsBytes() throws Exception {
        byte[] bytes = new byte[(int) HashingInput.HASH_WINDOW_BYTES + 12345];
        new Random(7).nextBytes(bytes);
        Path file = Files.write(temp.resolve("big.bin"), bytes);
        long[] counted = new long[1];
        InputFile hashed = HashingInput.hash(input(file), n -> counted[0] += n);
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        assertThat(hashed.content()).get().extracting(InputFile.Content::sha256).isEqualTo(expected);
        assertThat(hashed.content().get().size()).isEqualTo(bytes.length);
        assertThat(counted[0]).isEqualTo(bytes.length);
        assertThat(HashingInput.sha256Hex(input(file))).as("the streamed hash agrees").isEqualTo(expected);
        Path empty = Files.write(temp.resolve("empty.bin"), new byte[0]);
        assertThat(HashingInput.hash(input(empty), n -> {}).content().get().sha256())
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void aHashedFileIsReadWithoutHashingAndConfirmedWhenFinished() throws IOException {
        Path file = Files.writeString(temp.resolve("docs.jsonl"), "{\"id\": \"a\", \"text\": \"x\"}\n{\"id\": \"b\", \"text\": \"y\"}\n");
        InputFile hashed = HashingInput.hash(input(file), n -> {});
        RecordReader reader = new JsonlFormat().open(hashed, hashed.content().get().sha256(), ReadOptions.text(FieldMapping.DEFAULT, 1 << 20, DocumentLimits.defaults(1 << 20)), n -> {});
        List<SourceRecord> records = new java.util.ArrayList<>();
        for (Optional<RecordReader.Pending> next = reader.nextPending(); next.isPresent(); next = reader.nextPending()) {
            records.add(next.get().parse());
        }
        assertThat(records).extracting(SourceRecord::position).containsExactly("line:1", "line:2");
        assertThat(reader.finish()).isEqualTo(hashed.content().get().sha256());
        reader.close();
    }

    @Test
    void aFileThatChangesAfterItWasHashedFailsItsRead() throws IOException {
        Path file = Files.writeString(temp.resolve("docs.jsonl"), "{\"id\": \"a\", \"text\": \"x\"}\n");
        InputFile hashed = HashingInput.hash(input(file), n -> {});

        Files.writeString(file, "{\"id\": \"a\", \"text\": \"y\"}\n", StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, FileTime.fromMillis(hashed.content().get().modified().toMillis() + 2000));
        try (HashingInput read = HashingInput.open(hashed, n -> {})) {
            assertThatThrownBy(read::finish).isInstanceOf(ContentChangedException.class)
                    .hasMessageStartingWith("changed while the job read it: it was modified at");
        }

        Files.writeString(file, "{\"id\": \"a\", \"text\": \"longer\"}\n", StandardCharsets.UTF_8);
        try (HashingInput read = HashingInput.open(hashed, n -> {})) {
            assertThatThrownBy(read::finish).isInstanceOf(ContentChangedException.class)
                    .hasMessage("changed while the job read it: its size went from 25 to 30 bytes");
        }
    }
}
