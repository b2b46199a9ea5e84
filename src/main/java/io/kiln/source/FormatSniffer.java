package io.kiln.source;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

import org.apache.tika.mime.MediaType;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Decides how {@code auto} reads a file, from its first 64 KiB: JSON lines (plain or gzip) when
 * the first non-blank line is a JSON object (or, when that line is longer than the sample, it
 * starts with <code>{"</code>); plain text when Tika's detector says {@code text/plain} and the
 * sample is valid UTF-8; otherwise a document. The file name only refines Tika's answer (a
 * {@code .md} file is markdown, a document), it never overrides the content.
 */
final class FormatSniffer {
    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private FormatSniffer() {}

    static SourceFormat sniff(InputFile file) throws IOException {
        byte[] head;
        try (InputStream in = java.nio.channels.Channels.newInputStream(file.open())) {
            head = in.readNBytes(DocumentReader.HEAD_BYTES);
        }
        boolean complete = head.length < DocumentReader.HEAD_BYTES;
        if (head.length == 0) {
            return SourceFormat.DOCUMENT;
        }
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return isJsonLines(gunzipped(head), false) ? SourceFormat.JSONL : SourceFormat.DOCUMENT;
        }
        if (isJsonLines(head, complete)) {
            return SourceFormat.JSONL;
        }
        Path name = Path.of(file.relativeName()).getFileName();
        MediaType type = DocumentExtractor.shared().detect(head, Optional.ofNullable(name).map(Path::toString));
        return type.equals(MediaType.TEXT_PLAIN) && isUtf8(head, complete) ? SourceFormat.TEXT : SourceFormat.DOCUMENT;
    }

    static boolean isJsonLines(byte[] bytes, boolean complete) {
        int start = hasUtf8Bom(bytes) ? 3 : 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            boolean wholeLine = end < bytes.length || complete;
            String line = new String(bytes, start, end - start, StandardCharsets.UTF_8).strip();
            if (!line.isEmpty()) {
                if (!wholeLine) {
                    return line.startsWith("{\"");
                }
                try {
                    JsonNode node = MAPPER.readTree(line);
                    return node != null && node.isObject();
                }
                catch (JsonProcessingException e) {
                    return false;
                }
            }
            start = end + 1;
        }
        return false;
    }

    static boolean isUtf8(byte[] bytes, boolean complete) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CoderResult result = decoder.decode(in, CharBuffer.allocate(bytes.length), complete);
        if (result.isError()) {
            return false;
        }
        return complete ? !in.hasRemaining() : in.remaining() < 4;
    }

    private static boolean hasUtf8Bom(byte[] bytes) {
        return bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb && (bytes[2] & 0xff) == 0xbf;
    }

    private static byte[] gunzipped(byte[] head) {
        byte[] out = new byte[DocumentReader.HEAD_BYTES];
        int length = 0;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(head))) {
            int n;
            while (length < out.length && (n = in.read(out, length, out.length - length)) > 0) {
                length += n;
            }
        }
        catch (IOException e) {
            // the sample ends inside the compressed stream: use what it gave
        }
        return java.util.Arrays.copyOf(out, length);
    }
}
