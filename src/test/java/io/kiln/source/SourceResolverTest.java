package io.kiln.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceResolverTest {
    @TempDir
    Path temp;
    Path root;
    SourceResolver resolver;

    @BeforeEach
    void files() throws IOException {
        root = Files.createDirectories(temp.resolve("root"));
        Files.createDirectories(root.resolve("raw/nested"));
        Files.writeString(root.resolve("raw/b.jsonl"), "{}\n");
        Files.writeString(root.resolve("raw/a.jsonl"), "{}\n");
        Files.writeString(root.resolve("raw/notes.txt"), "x");
        Files.writeString(root.resolve("raw/nested/c.jsonl"), "{}\n");
        Files.writeString(root.resolve("raw/.hidden.jsonl"), "{}\n");
        resolver = new SourceResolver(List.of(root));
    }

    @Test
    void aPinnedFileIsReadWhereItWasFoundNeverThroughALinkSwappedInSince() throws IOException {
        Path outside = Files.createDirectories(temp.resolve("outside/nested"));
        Files.writeString(outside.resolve("c.jsonl"), "secret\n");
        InputFile pinned = resolver.pinned(root.resolve("raw/nested/c.jsonl")).orElseThrow();
        try (java.nio.channels.SeekableByteChannel channel = pinned.open()) {
            assertThat(channel.size()).isEqualTo(3);
        }

        Files.move(root.resolve("raw/nested"), root.resolve("raw/moved"));
        Files.createSymbolicLink(root.resolve("raw/nested"), outside);
        assertThatThrownBy(pinned::open).isInstanceOf(InputChangedException.class).hasMessage("the folder raw/nested on its path is now a symbolic link");
        // a path that resolves outside the roots now is not pinned at all
        assertThat(resolver.pinned(root.resolve("raw/nested/c.jsonl"))).isEmpty();

        Files.delete(root.resolve("raw/nested"));
        Files.move(root.resolve("raw/moved"), root.resolve("raw/nested"));
        Files.delete(root.resolve("raw/nested/c.jsonl"));
        Files.createSymbolicLink(root.resolve("raw/nested/c.jsonl"), outside.resolve("c.jsonl"));
        assertThatThrownBy(pinned::open).isInstanceOf(InputChangedException.class).hasMessage("it is now a symbolic link");

        Path replacement = Files.writeString(root.resolve("raw/nested/.c.tmp"), "{}\n");
        Files.move(replacement, root.resolve("raw/nested/c.jsonl"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(pinned::open).isInstanceOf(InputChangedException.class).hasMessageContaining("another file");
    }

    @Test
    void resolvesAGlobToSortedMatchingFiles() {
        List<InputFile> files = resolver.resolve("file://" + root + "/raw/*.jsonl");
        assertThat(files).extracting(InputFile::relativeName).containsExactly("a.jsonl", "b.jsonl");
        assertThat(files.get(0).uri()).isEqualTo(root.resolve("raw/a.jsonl").toUri().toString());
        assertThat(files.get(0).size()).isEqualTo(3);
    }

    @Test
    void resolvesRecursiveGlobsAndDirectories() {
        assertThat(resolver.resolve("file://" + root + "/raw/**.jsonl"))
                .extracting(InputFile::relativeName).containsExactly("a.jsonl", "b.jsonl", "nested/c.jsonl");
        assertThat(resolver.resolve("file://" + root + "/raw"))
                .extracting(InputFile::relativeName).containsExactly("a.jsonl", "b.jsonl", "nested/c.jsonl", "notes.txt");
        assertThat(resolver.resolve("file://" + root + "/raw/notes.txt"))
                .extracting(InputFile::relativeName).containsExactly("notes.txt");
    }

    @Test
    void refusesWhatIsNotALocalFileUri() {
        assertThatThrownBy(() -> resolver.resolve("s3://bucket/raw/*.jsonl")).hasMessage("must be a file URI (file:///path), was scheme s3");
        assertThatThrownBy(() -> resolver.resolve("/data/raw.jsonl")).hasMessage("must be a file URI (file:///path), was a URI without a scheme");
        assertThatThrownBy(() -> resolver.resolve("file://otherhost/data")).hasMessage("must name a local path (file:///path), not host otherhost");
        assertThatThrownBy(() -> resolver.resolve("file:relative/path")).hasMessage("must be an absolute file URI (file:///path)");
    }

    @Test
    void refusesPathsOutsideTheRootsIncludingThroughLinksAndDotDot() throws IOException {
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(outside.resolve("secret.jsonl"), "{}\n");
        assertThatThrownBy(() -> resolver.resolve("file://" + outside + "/secret.jsonl")).hasMessage("is outside the configured source roots");
        assertThatThrownBy(() -> resolver.resolve("file://" + root + "/../outside/secret.jsonl")).hasMessage("is outside the configured source roots");
        Files.createSymbolicLink(root.resolve("raw/link.jsonl"), outside.resolve("secret.jsonl"));
        assertThatThrownBy(() -> resolver.resolve("file://" + root + "/raw/*.jsonl")).hasMessage("links to a file outside the configured source roots: link.jsonl");
    }

    @Test
    void aPathOutsideTheRootsGetsOneAnswerWhetherItExistsOrNot() throws IOException {
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Path secret = Files.writeString(outside.resolve("shadow"), "root:x\n");
        secret.toFile().setReadable(false, false);
        String existing = catchMessage("file://" + secret);
        assertThat(existing).isEqualTo("is outside the configured source roots");
        assertThat(catchMessage("file://" + outside + "/missing")).isEqualTo(existing);
        assertThat(catchMessage("file://" + temp + "/no-such-folder/missing")).isEqualTo(existing);
        assertThat(catchMessage("file://" + outside + "/*.jsonl")).isEqualTo(existing);
        assertThat(catchMessage("file://" + outside + "/no-such-folder/*.jsonl")).isEqualTo(existing);
        assertThat(catchMessage("file:///etc/shadow")).isEqualTo(existing);
        assertThat(catchMessage("file:///etc/no-such-file-" + System.nanoTime())).isEqualTo(existing);
        Files.createSymbolicLink(root.resolve("raw/away"), outside);
        assertThat(catchMessage("file://" + root + "/raw/away/missing")).isEqualTo(existing);
    }

    private String catchMessage(String uri) {
        try {
            resolver.resolve(uri);
        }
        catch (SourceException e) {
            return e.getMessage();
        }
        throw new AssertionError("resolved " + uri);
    }

    @Test
    void saysWhenNothingMatchesOrNoRootsAreConfigured() {
        assertThatThrownBy(() -> resolver.resolve("file://" + root + "/raw/*.parquet")).hasMessage("matches no files");
        assertThatThrownBy(() -> resolver.resolve("file://" + root + "/missing.jsonl")).hasMessageStartingWith("does not exist: ");
        assertThatThrownBy(() -> new SourceResolver(List.of()).resolve("file://" + root + "/raw/a.jsonl"))
                .hasMessage("is outside the source roots: no source roots are configured (set kiln.source-roots)");
    }
}
