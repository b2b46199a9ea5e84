package io.kiln.source;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.MappedByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * The raw bytes of an input file, counted as they are read, and hashed (sha256) unless the file's
 * content is known ({@link InputFile#content()}). {@link #finish()} reads what is left and returns
 * the digest of the whole file: computed, or, for a known file, the known one once the file is
 * checked to be unchanged ({@link ContentChangedException} if not).
 */
public final class HashingInput extends FilterInputStream {
    /** Bytes of a file mapped at once to hash it: the most of it that counts in the process's resident memory. */
    static final long HASH_WINDOW_BYTES = 16L << 20;

    private final MessageDigest digest;
    private final LongConsumer bytesRead;
    private final InputFile file;
    private long count;

    private HashingInput(InputStream in, MessageDigest digest, LongConsumer bytesRead, InputFile file) {
        super(in);
        this.digest = digest;
        this.bytesRead = bytesRead;
        this.file = file;
    }

    /**
     * Opens the file as {@link InputFile#open()} does: a pinned file from where it was bound, or {@link InputChangedException}.
     * A file whose content is known is not hashed again.
     */
    public static HashingInput open(InputFile file, LongConsumer bytesRead) throws IOException {
        if (file.content().isPresent()) {
            return new HashingInput(Channels.newInputStream(file.open()), null, bytesRead, file);
        }
        MessageDigest digest = sha256();
        return new HashingInput(new DigestInputStream(Channels.newInputStream(file.open()), digest), digest, bytesRead, file);
    }

    /**
     * Hashes a file in one pass over its bytes and returns it with its {@link InputFile.Content}. Its
     * size, modification time and file key are read before and after; a file that changed meanwhile
     * is a {@link ContentChangedException}. A regular file is hashed from a read-only mapping, a window
     * at a time: the bytes are not copied through read calls, and the pages stay in the page cache for
     * the reader that parses the file next.
     */
    public static InputFile hash(InputFile file, LongConsumer bytesHashed) throws IOException {
        BasicFileAttributes before = attributes(file);
        MessageDigest digest = sha256();
        long hashed = 0;
        try (SeekableByteChannel channel = file.open()) {
            if (channel instanceof FileChannel mappable) {
                long size = mappable.size();
                while (hashed < size) {
                    long length = Math.min(HASH_WINDOW_BYTES, size - hashed);
                    MappedByteBuffer window = mappable.map(FileChannel.MapMode.READ_ONLY, hashed, length);
                    try {
                        digest.update(window);
                    }
                    catch (InternalError e) {
                        // the JVM's report of a fault on mapped memory: the file was cut short while hashed
                        throw new ContentChangedException("was cut short while the job hashed it");
                    }
                    finally {
                        Mappings.unmap(window);
                    }
                    hashed += length;
                    bytesHashed.accept(length);
                }
            }
            else {
                try (InputStream in = new DigestInputStream(Channels.newInputStream(channel), digest)) {
                    byte[] buffer = new byte[65536];
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        hashed += n;
                        bytesHashed.accept(n);
                    }
                }
            }
        }
        InputFile.Content content = new InputFile.Content(HexFormat.of().formatHex(digest.digest()), before.size(), before.lastModifiedTime(), before.fileKey());
        confirm(file, content, hashed, "hashed");
        return file.withContent(content);
    }

    /**
     * Checks that a file still has the size, modification time and file key it had when hashed, and
     * that {@code bytes} (what was read of it; negative when not counted) is its size.
     */
    static void confirm(InputFile file, InputFile.Content content, long bytes, String doing) throws IOException {
        BasicFileAttributes now = attributes(file);
        String changed = null;
        if (now.size() != content.size()) {
            changed = "its size went from " + content.size() + " to " + now.size() + " bytes";
        }
        else if (!now.lastModifiedTime().equals(content.modified())) {
            changed = "it was modified at " + now.lastModifiedTime() + " (it was last modified at " + content.modified() + " when hashed)";
        }
        else if (!Objects.equals(now.fileKey(), content.fileKey())) {
            changed = "it is another file now (its file key changed)";
        }
        else if (bytes >= 0 && bytes != content.size()) {
            changed = bytes + " of its " + content.size() + " bytes were read";
        }
        if (changed != null) {
            throw new ContentChangedException("changed while the job " + doing + " it: " + changed);
        }
    }

    private static BasicFileAttributes attributes(InputFile file) throws IOException {
        return Files.readAttributes(file.path(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }

    /** The known content of a file, confirmed unchanged without reading it; empty when it is not known. */
    static Optional<String> confirmed(InputFile file) throws IOException {
        if (file.content().isEmpty()) {
            return Optional.empty();
        }
        confirm(file, file.content().get(), -1, "read");
        return Optional.of(file.content().get().sha256());
    }

    /** What reads an opened input, and closes it when closed itself. */
    @FunctionalInterface
    interface Opener {
        RecordReader open(HashingInput input) throws IOException;
    }

    /**
     * Opens the file and gives it to {@code opener}; the file is closed again when that fails. Content
     * that cannot be decoded from its start ({@link UnreadableInputException}) gives a reader whose
     * first {@link RecordReader#next()} throws it, and that still hashes the whole file.
     */
    static RecordReader openWith(InputFile file, LongConsumer bytesRead, Opener opener) throws IOException {
        HashingInput raw = open(file, bytesRead);
        try {
            return opener.open(raw);
        }
        catch (UnreadableInputException e) {
            return new StreamedReader(raw) {
                @Override
                public java.util.Optional<SourceRecord> next() throws IOException {
                    throw e;
                }
            };
        }
        catch (IOException | RuntimeException e) {
            try {
                raw.close();
            }
            catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count++;
            bytesRead.accept(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            count += n;
            bytesRead.accept(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // skipping would bypass the digest
        byte[] buffer = new byte[(int) Math.min(n, 8192)];
        int read = read(buffer, 0, buffer.length);
        return Math.max(read, 0);
    }

    /** Reads to the end of the file and returns the hex sha256 of all its bytes. */
    public String finish() throws IOException {
        byte[] buffer = new byte[65536];
        while (read(buffer, 0, buffer.length) >= 0) {
            // drain
        }
        if (digest == null) {
            confirm(file, file.content().orElseThrow(), count, "read");
            return file.content().get().sha256();
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    public static String sha256Hex(InputFile file) throws IOException {
        return sha256Hex(file, bytes -> {});
    }

    /** The hex sha256 of the whole file, counting the bytes as they are read. */
    public static String sha256Hex(InputFile file, LongConsumer bytesRead) throws IOException {
        try (HashingInput input = open(file, bytesRead)) {
            return input.finish();
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
