package io.kiln.source;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.TreeMap;

import org.apache.tika.mime.MediaType;

import io.kiln.transform.Row;

/**
 * A file that Tika reads (HTML, Markdown, PDF, DOCX, RTF, EPUB, e-mail and more) is one document,
 * its id the file's path below the source's base directory; an mbox file is one document per
 * message, with ids {@code <path>#<n>} from 1. The type is detected from the content; the file
 * name only refines it (markdown is plain text by content). Rows carry {@code content_type} and,
 * where the document says, {@code title} (the subject of an e-mail) and {@code source_language}.
 *
 * <p>Every problem with a document is a malformed record with a reason: {@code too-large},
 * {@code timeout}, {@code encrypted}, {@code zip-bomb}, {@code unsupported-type},
 * {@code unparseable} or {@code no-text}; only failing to read the input file itself throws.
 */
final class DocumentReader extends StreamedReader {
    static final int HEAD_BYTES = 64 * 1024;
    private static final int EXCERPT_BYTES = 1024;
    private static final MediaType MBOX = MediaType.application("mbox");
    private static final MediaType MESSAGE = MediaType.parse("message/rfc822");

    private final InputFile file;
    private final DocumentLimits limits;
    private final DocumentExtractor extractor;
    private final String name;
    private MboxSplitter mbox;
    private boolean started;
    private boolean done;

    DocumentReader(HashingInput raw, InputFile file, DocumentLimits limits, DocumentExtractor extractor) {
        super(raw);
        this.file = file;
        this.limits = limits;
        this.extractor = extractor;
        Path fileName = Path.of(file.relativeName()).getFileName();
        this.name = fileName == null ? file.relativeName() : fileName.toString();
    }

    @Override
    public Optional<SourceRecord> next() throws IOException {
        if (done) {
            return Optional.empty();
        }
        if (!started) {
            started = true;
            BufferedInputStream in = new BufferedInputStream(raw, HEAD_BYTES);
            byte[] head = peek(in, HEAD_BYTES);
            // every mbox starts with an envelope line: only then is Tika asked (it detects again when it parses)
            MediaType type = startsWithEnvelope(head) ? extractor.detect(head, Optional.of(name)) : MediaType.OCTET_STREAM;
            if (!type.getBaseType().equals(MBOX)) {
                done = true;
                return Optional.of(document(in));
            }
            mbox = new MboxSplitter(in, limits.maxDocumentBytes());
        }
        try (Spool spool = new Spool()) {
            Optional<MboxSplitter.Message> message = mbox.next(spool);
            if (message.isEmpty()) {
                done = true;
                return Optional.empty();
            }
            int number = message.get().number();
            String position = "message:" + number;
            String excerpt = excerpt(spool.head());
            if (message.get().tooLarge().isPresent()) {
                return Optional.of(new SourceRecord.Malformed(position, "too-large", message.get().tooLarge().get(), excerpt));
            }
            DocumentExtractor.Extraction extraction = extractor.extract(spool, Optional.empty(), Optional.of(MESSAGE), limits);
            return Optional.of(record(extraction, file.relativeName() + "#" + number, position, excerpt));
        }
    }

    private SourceRecord document(InputStream in) throws IOException {
        String position = "doc:0";
        try (Spool spool = new Spool()) {
            boolean within = spool.copyFrom(in, limits.maxDocumentBytes());
            String excerpt = isTextual(spool.head()) ? excerpt(spool.head()) : "";
            if (!within) {
                return new SourceRecord.Malformed(position, "too-large",
                        "document is larger than the limit of " + limits.maxDocumentBytes() + " bytes", excerpt);
            }
            return record(extractor.extract(spool, Optional.of(name), Optional.empty(), limits), file.relativeName(), position, excerpt);
        }
    }

    private static SourceRecord record(DocumentExtractor.Extraction extraction, String id, String position, String excerpt) {
        if (extraction instanceof DocumentExtractor.Failed failed) {
            return new SourceRecord.Malformed(position, failed.reason(), failed.detail(), excerpt);
        }
        DocumentExtractor.Extracted document = (DocumentExtractor.Extracted) extraction;
        TreeMap<String, Object> columns = new TreeMap<>();
        columns.put(Row.TEXT, document.text());
        columns.put(Sources.CONTENT_TYPE, document.contentType());
        document.title().ifPresent(title -> columns.put(Sources.TITLE, title));
        document.language().ifPresent(language -> columns.put(Sources.SOURCE_LANGUAGE, language));
        return new SourceRecord.Parsed(new Row(id, columns), position);
    }

    static byte[] peek(BufferedInputStream in, int length) throws IOException {
        in.mark(length);
        byte[] head = in.readNBytes(length);
        in.reset();
        return head;
    }

    private static boolean startsWithEnvelope(byte[] head) {
        byte[] envelope = {'F', 'r', 'o', 'm', ' '};
        return head.length >= envelope.length && Arrays.equals(head, 0, envelope.length, envelope, 0, envelope.length);
    }

    private static boolean isTextual(byte[] head) {
        return FormatSniffer.isUtf8(Arrays.copyOf(head, Math.min(head.length, EXCERPT_BYTES)), false);
    }

    private static String excerpt(byte[] head) {
        return new String(Arrays.copyOf(head, Math.min(head.length, EXCERPT_BYTES)), StandardCharsets.UTF_8);
    }
}
