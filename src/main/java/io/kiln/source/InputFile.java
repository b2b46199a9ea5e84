package io.kiln.source;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One input file of a job. {@code uri} is the canonical {@code file:} URI recorded in lineage;
 * {@code relativeName} is its path below the source's base directory (the id of a text document).
 * {@code pin} says where the file was found when the job was bound ({@link SourceResolver}), so that
 * it is read from there and nowhere else ({@link #open()}).
 */
public record InputFile(String uri, Path path, String relativeName, long size, Optional<Pin> pin) {
    public InputFile {
        requireNonNull(uri, "uri is null");
        requireNonNull(path, "path is null");
        requireNonNull(relativeName, "relativeName is null");
        requireNonNull(pin, "pin is null");
    }

    /** A file that is not pinned: opened by its path as it is (files that tests make). */
    public InputFile(String uri, Path path, String relativeName, long size) {
        this(uri, path, relativeName, size, Optional.empty());
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
