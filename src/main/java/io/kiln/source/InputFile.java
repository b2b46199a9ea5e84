package io.kiln.source;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;

/**
 * One input file of a job. {@code uri} is the canonical {@code file:} URI recorded in lineage;
 * {@code relativeName} is its path below the source's base directory (the id of a text document).
 * {@code pin} says where the file was found when the job was bound ({@link SourceResolver}), so that
 * it is read from there and nowhere else ({@link #open()}). {@code content} is what the file held
 * when its job hashed it ({@link HashingInput#hash}): a file that has it is read without being
 * hashed again, and must still be what was hashed when its reader finishes.
 */
public record InputFile(String uri, Path path, String relativeName, long size, Optional<Pin> pin, Optional<Content> content) {
    public InputFile {
        requireNonNull(uri, "uri is null");
        requireNonNull(path, "path is null");
        requireNonNull(relativeName, "relativeName is null");
        requireNonNull(pin, "pin is null");
        requireNonNull(content, "content is null");
    }

    /** A file that is not pinned: opened by its path as it is (files that tests make). */
    public InputFile(String uri, Path path, String relativeName, long size) {
        this(uri, path, relativeName, size, Optional.empty());
    }

    public InputFile(String uri, Path path, String relativeName, long size, Optional<Pin> pin) {
        this(uri, path, relativeName, size, pin, Optional.empty());
    }

    /**
     * What a file held when it was hashed: its sha256, and the size, modification time and file key
     * it had before and after; a later read checks these instead of hashing again.
     */
    public record Content(String sha256, long size, FileTime modified, Object fileKey) {
        public Content {
            requireNonNull(sha256, "sha256 is null");
            requireNonNull(modified, "modified is null");
        }
    }

    /** This file, known to hold {@code content}. */
    public InputFile withContent(Content content) {
        return new InputFile(uri, path, relativeName, size, pin, Optional.of(content));
    }

    /**
     * Where a file was when its job was bound: the source root it lies in (a real path, as is the
     * file's) and its file key ({@link java.nio.file.attribute.BasicFileAttributes#fileKey()}; null
     * where the file system has none).
     */
    public record Pin(Path root, Object fileKey) {
        public Pin {
            requireNonNull(root, "root is null");
        }
    }

    /**
     * Opens the file for reading. A pinned file is opened from its root one name at a time, never
     * following a symbolic link, and must still be the file it was (the same file key): what is read
     * is what was checked to lie inside the source roots.
     *
     * @throws InputChangedException when the file, or a folder on its path below the root, was
     *         replaced since it was pinned (by a symbolic link, or another file)
     */
    public SeekableByteChannel open() throws IOException {
        return pin.isPresent() ? PinnedFiles.open(path, pin.get()) : Files.newByteChannel(path);
    }
}
