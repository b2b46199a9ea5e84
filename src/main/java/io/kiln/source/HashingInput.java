package io.kiln.source;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.LongConsumer;

/**
 * The raw bytes of an input file, hashed (sha256) and counted as they are read. {@link #finish()}
 * reads what is left and returns the digest of the whole file.
 */
public final class HashingInput extends FilterInputStream {
    private final MessageDigest digest;
    private final LongConsumer bytesRead;

    private HashingInput(InputStream in, MessageDigest digest, LongConsumer bytesRead) {
        super(in);
        this.digest = digest;
        this.bytesRead = bytesRead;
    }

    /** Opens the file as {@link InputFile#open()} does: a pinned file from where it was bound, or {@link InputChangedException}. */
    public static HashingInput open(InputFile file, LongConsumer bytesRead) throws IOException {
        MessageDigest digest = sha256();
        return new HashingInput(new DigestInputStream(Channels.newInputStream(file.open()), digest), digest, bytesRead);
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
            bytesRead.accept(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
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
