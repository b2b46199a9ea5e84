package io.kiln.source;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Set;

/**
 * Opens pinned files ({@link InputFile.Pin}) so that the file read is the file that was checked: from
 * the pin's root, each folder and then the file are opened relative to the one before
 * ({@link SecureDirectoryStream}, {@code openat} with {@code O_NOFOLLOW}), so that no symbolic link is
 * followed, whatever is swapped meanwhile; then the file key is compared with the pinned one. Where the
 * file system has no secure directory streams, the file is opened without following a final link and
 * its real path and key are checked after opening.
 */
final class PinnedFiles {
    private PinnedFiles() {}

    static SeekableByteChannel open(Path path, InputFile.Pin pin) throws IOException {
        Path relative = pin.root().relativize(path);
        if (!path.startsWith(pin.root()) || relative.toString().isEmpty()) {
            return openPlain(path, pin);
        }
        DirectoryStream<Path> opened = Files.newDirectoryStream(pin.root());
        if (!(opened instanceof SecureDirectoryStream<Path> directory)) {
            opened.close();
            return openPlain(path, pin);
        }
        try {
            for (int i = 0; i < relative.getNameCount() - 1; i++) {
                Path name = relative.getName(i);
                if (attributes(directory, name).isSymbolicLink()) {
                    throw new InputChangedException("the folder " + relative.subpath(0, i + 1) + " on its path is now a symbolic link");
                }
                SecureDirectoryStream<Path> next;
                try {
                    next = directory.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS);
                }
                catch (FileSystemException e) {
                    throw swappedMeanwhile(directory, name, "the folder " + relative.subpath(0, i + 1) + " on its path is now a symbolic link", e);
                }
                directory.close();
                directory = next;
            }
            Path name = relative.getFileName();
            if (attributes(directory, name).isSymbolicLink()) {
                throw new InputChangedException("it is now a symbolic link");
            }
            SeekableByteChannel channel;
            try {
                channel = directory.newByteChannel(name, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
            }
            catch (FileSystemException e) {
                throw swappedMeanwhile(directory, name, "it is now a symbolic link", e);
            }
            try {
                checkKey(pin, attributes(directory, name));
            }
            catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            return channel;
        }
        finally {
            directory.close();
        }
    }

    private static SeekableByteChannel openPlain(Path path, InputFile.Pin pin) throws IOException {
        SeekableByteChannel channel = Files.newByteChannel(path, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
        try {
            if (!path.toRealPath().equals(path)) {
                throw new InputChangedException("a folder on its path is now a symbolic link");
            }
            checkKey(pin, Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        }
        catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return channel;
    }

    /** A failure to open {@code name} without following links: {@code changed} when it became a link after it was looked at. */
    private static IOException swappedMeanwhile(SecureDirectoryStream<Path> directory, Path name, String changed, FileSystemException e) {
        try {
            return attributes(directory, name).isSymbolicLink() ? new InputChangedException(changed) : e;
        }
        catch (IOException again) {
            return e;
        }
    }

    private static BasicFileAttributes attributes(SecureDirectoryStream<Path> directory, Path name) throws IOException {
        return directory.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
    }

    private static void checkKey(InputFile.Pin pin, BasicFileAttributes now) throws InputChangedException {
        if (!now.isRegularFile()) {
            throw new InputChangedException("it is no longer a regular file");
        }
        if (pin.fileKey() != null && !Objects.equals(pin.fileKey(), now.fileKey())) {
            throw new InputChangedException("it is another file now (its file key changed)");
        }
    }
}
