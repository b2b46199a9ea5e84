package io.kiln.source;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.apache.tika.io.TikaInputStream;

/**
 * The bytes of one document as read (and hashed) from its input, held in memory up to
 * {@value #MEMORY_BYTES} bytes and in a temporary file beyond, so that Tika parses exactly the
 * bytes that were hashed, with random access (PDF, zip containers), on another thread.
 */
final class Spool implements Closeable {
    static final int MEMORY_BYTES = 8 << 20;
    private static final int HEAD_BYTES = 4096;

    private ByteArrayOutputStream memory = new ByteArrayOutputStream();
    private final byte[] head = new byte[HEAD_BYTES];
    private int headLength;
    private Path file;
    private OutputStream fileOut;
    private long size;

    void write(byte[] bytes, int offset, int length) throws IOException {
        if (headLength < HEAD_BYTES) {
            int take = Math.min(length, HEAD_BYTES - headLength);
            System.arraycopy(bytes, offset, head, headLength, take);
            headLength += take;
        }
        if (file == null && size + length > MEMORY_BYTES) {
            file = Files.createTempFile("kiln-document-", ".spool");
            fileOut = Files.newOutputStream(file);
            memory.writeTo(fileOut);
            memory = null;
        }
        if (file == null) {
            memory.write(bytes, offset, length);
        }
        else {
            fileOut.write(bytes, offset, length);
        }
        size += length;
    }

    /** Copies {@code in} until its end or until more than {@code limit} bytes; true if it ended within the limit. */
    boolean copyFrom(InputStream in, long limit) throws IOException {
        byte[] buffer = new byte[1 << 16];
        int n;
        while ((n = in.read(buffer, 0, (int) Math.min(buffer.length, limit + 1 - size))) > 0) {
            write(buffer, 0, n);
            if (size > limit) {
                return false;
            }
        }
        return true;
    }

    long size() {
        return size;
    }

    /** The first bytes written (up to 4 KiB), for detection and reject excerpts. */
    byte[] head() {
        return Arrays.copyOf(head, headLength);
    }

    /** A stream over everything written; call once writing is done. */
    TikaInputStream open() throws IOException {
        if (file == null) {
            return TikaInputStream.get(memory.toByteArray());
        }
        fileOut.close();
        return TikaInputStream.get(file);
    }

    @Override
    public void close() throws IOException {
        if (fileOut != null) {
            fileOut.close();
        }
        if (file != null) {
            Files.deleteIfExists(file);
        }
    }
}
