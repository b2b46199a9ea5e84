package io.kiln.source;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import org.apache.tika.config.TikaConfig;
import org.apache.tika.detect.Detector;
import org.apache.tika.exception.AccessPermissionException;
import org.apache.tika.exception.EncryptedDocumentException;
import org.apache.tika.exception.TikaException;
import org.apache.tika.exception.WriteLimitReachedException;
import org.apache.tika.exception.ZeroByteFileException;
import org.apache.tika.io.TikaInputStream;
import org.apache.tika.metadata.HttpHeaders;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.mime.MediaType;
import org.apache.tika.parser.AutoDetectParser;
import org.apache.tika.parser.AutoDetectParserConfig;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.parser.Parser;
import org.apache.tika.parser.ocr.TesseractOCRConfig;
import org.apache.tika.parser.pdf.PDFParserConfig;
import org.apache.tika.sax.BodyContentHandler;
import org.apache.tika.sax.ContentHandlerDecorator;
import org.xml.sax.Attributes;
import org.xml.sax.ContentHandler;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Apache Tika, configured once to give the same text for the same bytes: the standard parsers
 * without OCR and without external programs (so what is installed on the machine does not change
 * the text), embedded documents parsed recursively. Each parse runs on a daemon worker thread
 * with a time limit; a parse that runs over is interrupted and its content handler refuses all
 * further output, which ends it. Thread-safe.
 *
 * <p>The limits are enforced by Kiln's own content handler at the top of the document, which sees
 * the output of every embedded document: Tika's own guard ({@code SecureContentHandler}) runs at
 * each level, and a limit it hits inside an embedded document is recorded and skipped, leaving a
 * silently shortened text. So Tika's guard is relaxed and ours uses Tika's default bounds: more
 * than {@value #MAX_COMPRESSION_RATIO} characters per input byte once past
 * {@value #OUTPUT_THRESHOLD} characters, or embedded documents nested more than
 * {@value #MAX_PACKAGE_ENTRY_DEPTH} deep, is a zip bomb; elements nested more than
 * {@value #MAX_ELEMENT_DEPTH} deep are too deep.
 */
final class DocumentExtractor {
    static final long MAX_COMPRESSION_RATIO = 100;
    static final long OUTPUT_THRESHOLD = 1_000_000;
    static final int MAX_PACKAGE_ENTRY_DEPTH = 10;
    static final int MAX_ELEMENT_DEPTH = 100;

    private static final Pattern OBJECT_IDENTITY = Pattern.compile("@[0-9a-f]{4,}");
    private static final Pattern TEMPORARY_FILE = Pattern.compile("\\S*(kiln-document-|apache-tika-)\\S*");
    private static final AtomicInteger RUNNING = new AtomicInteger();
    private static final ExecutorService WORKERS = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "kiln-extract");
        thread.setDaemon(true);
        return thread;
    });

    /** "tika-3.3.1": the extractor as a recipe records it. */
    static final String VERSION = tikaVersion();

    private static final PDFParserConfig PDF = pdfConfig();
    private static final TesseractOCRConfig NO_OCR = noOcr();

    private final AutoDetectParser parser;
    private final Detector detector;

    private DocumentExtractor() {
        try (InputStream config = DocumentExtractor.class.getResourceAsStream("tika-config.xml")) {
            TikaConfig tika = new TikaConfig(config);
            this.parser = new AutoDetectParser(tika);
            // Tika's own guard off (an unreachable output threshold, no depth bounds): the Guard below enforces them
            this.parser.setAutoDetectParserConfig(new AutoDetectParserConfig(
                    AutoDetectParserConfig.DEFAULT.getSpoolToDisk(), Long.MAX_VALUE, MAX_COMPRESSION_RATIO, Integer.MAX_VALUE, Integer.MAX_VALUE));
            this.detector = tika.getDetector();
        }
        catch (IOException | TikaException | SAXException e) {
            throw new IllegalStateException("Cannot configure Apache Tika", e);
        }
    }

    private static final class Holder {
        static final DocumentExtractor SHARED = new DocumentExtractor();
    }

    static DocumentExtractor shared() {
        return Holder.SHARED;
    }

    /** The type of a document from its first bytes; {@code name} only refines what the bytes say (markdown is plain text). */
    MediaType detect(byte[] head, Optional<String> name) {
        Metadata metadata = new Metadata();
        name.ifPresent(value -> metadata.set(TikaCoreProperties.RESOURCE_NAME_KEY, value));
        try (TikaInputStream stream = TikaInputStream.get(head)) {
            return detector.detect(stream, metadata);
        }
        catch (IOException | RuntimeException e) {
            return MediaType.OCTET_STREAM;
        }
    }

    /** What one document gave: its text and metadata, or why it gave none. */
    sealed interface Extraction permits Extracted, Failed {}

    record Extracted(String text, Optional<String> title, String contentType, Optional<String> language) implements Extraction {}

    record Failed(String reason, String detail) implements Extraction {}

    /**
     * Parses the spooled document on a worker, waiting at most the parse timeout. {@code name}
     * refines content detection; {@code type}, when given, overrides it.
     *
     * @throws InterruptedIOException if the calling thread is interrupted while it waits
     */
    Extraction extract(Spool spool, Optional<String> name, Optional<MediaType> type, DocumentLimits limits) throws InterruptedIOException {
        AtomicBoolean cancelled = new AtomicBoolean();
        Future<Extraction> parse = WORKERS.submit(() -> {
            RUNNING.incrementAndGet();
            try {
                return parse(spool, name, type, limits, cancelled);
            }
            finally {
                RUNNING.decrementAndGet();
            }
        });
        try {
            return parse.get(limits.parseTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (TimeoutException e) {
            cancelled.set(true);
            parse.cancel(true);
            return new Failed("timeout", "parsing took longer than the limit of " + limits.parseTimeout().toMillis() + " ms");
        }
        catch (ExecutionException e) {
            // parse() catches everything: only a failure of the worker itself lands here
            return new Failed("unparseable", "the parse could not run");
        }
        catch (InterruptedException e) {
            cancelled.set(true);
            parse.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while parsing a document");
        }
    }

    /** Parses that have not ended yet, including ones abandoned after their timeout. */
    static int runningParses() {
        return RUNNING.get();
    }

    private Extraction parse(Spool spool, Optional<String> name, Optional<MediaType> type, DocumentLimits limits, AtomicBoolean cancelled) {
        Metadata metadata = new Metadata();
        name.ifPresent(value -> metadata.set(TikaCoreProperties.RESOURCE_NAME_KEY, value));
        type.ifPresent(value -> metadata.set(TikaCoreProperties.CONTENT_TYPE_USER_OVERRIDE, value.toString()));
        Guard guard = new Guard(limits.maxTextChars(), spool.size(), cancelled);
        Throwable failure = null;
        try (TikaInputStream stream = spool.open()) {
            parser.parse(stream, guard.handler(), metadata, context());
        }
        catch (Throwable e) {
            failure = e;
        }
        // Tika records a failure inside an embedded document and goes on: the guard's verdict comes first
        if (guard.stopped().isPresent()) {
            return guard.stopped().get() == Guard.Stop.CANCELLED
                    ? new Failed("timeout", "parsing took longer than the limit of " + limits.parseTimeout().toMillis() + " ms")
                    : guard.failure();
        }
        if (failure != null) {
            return failure(failure, limits);
        }
        String contentType = Optional.ofNullable(metadata.get(Metadata.CONTENT_TYPE))
                .map(MediaType::parse)
                .map(value -> value.getBaseType().toString())
                .orElse(MediaType.OCTET_STREAM.toString());
        String body = guard.text().strip();
        if (body.isEmpty() && contentType.equals(MediaType.OCTET_STREAM.toString())) {
            return new Failed("unsupported-type", "the content is not of a document type that can be read");
        }
        if (body.isEmpty()) {
            return new Failed("no-text", "no text was extracted from the document (" + contentType + ")");
        }
        Optional<String> title = present(metadata.get(TikaCoreProperties.TITLE));
        if (title.isEmpty() && (contentType.equals("text/markdown") || contentType.equals("text/x-web-markdown"))) {
            title = markdownTitle(body);
        }
        Optional<String> language = present(metadata.get(TikaCoreProperties.LANGUAGE)).or(() -> present(metadata.get(HttpHeaders.CONTENT_LANGUAGE)));
        return new Extracted(body, title, contentType, language);
    }

    private ParseContext context() {
        ParseContext context = new ParseContext();
        context.set(Parser.class, parser);
        context.set(PDFParserConfig.class, PDF);
        context.set(TesseractOCRConfig.class, NO_OCR);
        return context;
    }

    /** Read-only once made, so shared by all parses. */
    private static PDFParserConfig pdfConfig() {
        PDFParserConfig pdf = new PDFParserConfig();
        pdf.setOcrStrategy(PDFParserConfig.OCR_STRATEGY.NO_OCR);
        pdf.setExtractInlineImages(false);
        return pdf;
    }

    private static TesseractOCRConfig noOcr() {
        TesseractOCRConfig ocr = new TesseractOCRConfig();
        ocr.setSkipOcr(true);
        return ocr;
    }

    private static Extraction failure(Throwable e, DocumentLimits limits) {
        if (WriteLimitReachedException.isWriteLimitReached(e)) {
            return new Failed("too-large", "the document has more text than the limit of " + limits.maxTextChars() + " characters");
        }
        String message = null;
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof EncryptedDocumentException || cause instanceof AccessPermissionException) {
                return new Failed("encrypted", "the document is encrypted or forbids text extraction");
            }
            if (cause.getClass().getName().equals("org.apache.tika.sax.SecureContentHandler$SecureSAXException")) {
                return new Failed("zip-bomb", "the document expands too much: " + cause.getMessage());
            }
            if (cause instanceof ZeroByteFileException) {
                return new Failed("no-text", "the document is empty");
            }
            if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
                message = cause.getMessage();
            }
        }
        if (e instanceof StackOverflowError) {
            return new Failed("unparseable", "the document nests too deeply to parse");
        }
        if (e instanceof OutOfMemoryError) {
            return new Failed("too-large", "parsing the document ran out of memory");
        }
        // the deepest message says what is wrong with the bytes; object identities and temporary files would make it differ between runs
        String detail = message == null ? e.getClass().getSimpleName()
                : TEMPORARY_FILE.matcher(OBJECT_IDENTITY.matcher(message).replaceAll("")).replaceAll("<document>");
        return new Failed("unparseable", "the document cannot be parsed: " + detail);
    }

    private static Optional<String> present(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    private static Optional<String> markdownTitle(String text) {
        return text.lines()
                .filter(line -> line.startsWith("# "))
                .findFirst()
                .map(line -> line.substring(2).strip())
                .filter(line -> !line.isEmpty());
    }

    private static String tikaVersion() {
        try (InputStream properties = TikaConfig.class.getResourceAsStream("/META-INF/maven/org.apache.tika/tika-core/pom.properties")) {
            java.util.Properties values = new java.util.Properties();
            if (properties != null) {
                values.load(properties);
            }
            return "tika-" + values.getProperty("version", "unknown");
        }
        catch (IOException e) {
            return "tika-unknown";
        }
    }

    /**
     * Collects the body text and enforces the limits itself, below every handler Tika adds: Tika
     * records a failure inside an embedded document and goes on, so a limit hit there would only
     * cut the text short. Once stopped, it refuses every further event, which ends the parse.
     */
    private static final class Guard extends ContentHandlerDecorator {
        enum Stop { CANCELLED, TOO_MUCH_TEXT, NESTED_DOCUMENTS, NESTED_ELEMENTS, EXPANDS }

        private final StringBuilder text = new StringBuilder();
        private final int maxTextChars;
        private final long inputBytes;
        private final AtomicBoolean cancelled;
        private final ArrayDeque<Integer> entryDepths = new ArrayDeque<>();
        private long characters;
        private int depth;
        private Stop stop;

        Guard(int maxTextChars, long inputBytes, AtomicBoolean cancelled) {
            this.maxTextChars = maxTextChars;
            this.inputBytes = Math.max(inputBytes, 1);
            this.cancelled = cancelled;
            setContentHandler(new BodyContentHandler(new DefaultHandler() {
                @Override
                public void characters(char[] ch, int start, int length) throws SAXException {
                    append(ch, start, length);
                }

                @Override
                public void ignorableWhitespace(char[] ch, int start, int length) throws SAXException {
                    append(ch, start, length);
                }
            }));
        }

        ContentHandler handler() {
            return this;
        }

        String text() {
            return text.toString();
        }

        Optional<Stop> stopped() {
            return cancelled.get() ? Optional.of(Stop.CANCELLED) : Optional.ofNullable(stop);
        }

        Failed failure() {
            return switch (stop) {
                case TOO_MUCH_TEXT -> new Failed("too-large", "the document has more text than the limit of " + maxTextChars + " characters");
                case NESTED_DOCUMENTS -> new Failed("zip-bomb", "the document nests embedded documents more than " + MAX_PACKAGE_ENTRY_DEPTH + " deep");
                case NESTED_ELEMENTS -> new Failed("too-deep", "the document nests elements more than " + MAX_ELEMENT_DEPTH + " deep");
                case EXPANDS -> new Failed("zip-bomb", "the document expands to more than " + MAX_COMPRESSION_RATIO + " characters per input byte");
                case CANCELLED -> throw new IllegalStateException("a cancelled parse is a timeout");
            };
        }

        private void append(char[] ch, int start, int length) throws SAXException {
            if (text.length() + length > maxTextChars) {
                stop(Stop.TOO_MUCH_TEXT);
            }
            text.append(ch, start, length);
        }

        private void stop(Stop reason) throws SAXException {
            if (stop == null) {
                stop = reason;
            }
            throw new SAXException("parse stopped: " + stop);
        }

        private void check(int newCharacters) throws SAXException {
            if (stop != null || Thread.currentThread().isInterrupted()) {
                stop(Stop.CANCELLED);
            }
            if (cancelled.get()) {
                stop(Stop.CANCELLED);
            }
            characters += newCharacters;
            if (characters > OUTPUT_THRESHOLD && characters > MAX_COMPRESSION_RATIO * inputBytes) {
                stop(Stop.EXPANDS);
            }
        }

        @Override
        public void startElement(String uri, String localName, String name, Attributes attributes) throws SAXException {
            check(0);
            depth++;
            if (depth > MAX_ELEMENT_DEPTH) {
                stop(Stop.NESTED_ELEMENTS);
            }
            if ("div".equals(localName) && "package-entry".equals(attributes.getValue("class"))) {
                entryDepths.push(depth);
                if (entryDepths.size() > MAX_PACKAGE_ENTRY_DEPTH) {
                    stop(Stop.NESTED_DOCUMENTS);
                }
            }
            super.startElement(uri, localName, name, attributes);
        }

        @Override
        public void endElement(String uri, String localName, String name) throws SAXException {
            check(0);
            if (!entryDepths.isEmpty() && entryDepths.peek() == depth) {
                entryDepths.pop();
            }
            depth--;
            super.endElement(uri, localName, name);
        }

        @Override
        public void characters(char[] ch, int start, int length) throws SAXException {
            check(length);
            super.characters(ch, start, length);
        }

        @Override
        public void ignorableWhitespace(char[] ch, int start, int length) throws SAXException {
            check(length);
            super.ignorableWhitespace(ch, start, length);
        }
    }
}
