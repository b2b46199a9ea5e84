package io.kiln.source;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.poi.xwpf.usermodel.XWPFDocument;

/**
 * Makes the binary document fixtures under {@code src/test/resources/documents} (DOCX with POI, PDF
 * with PDFBox, EPUB and junk by hand; run {@link #main} to make them again) and, in tests, the
 * hostile inputs that are better not committed: an encrypted PDF and zip bombs.
 */
final class DocumentFixtures {
    static final Path DIRECTORY = Path.of("src/test/resources/documents");

    private DocumentFixtures() {}

    public static void main(String[] args) throws IOException {
        Path directory = args.length > 0 ? Path.of(args[0]) : DIRECTORY;
        Files.createDirectories(directory);
        docx(directory.resolve("report.docx"));
        pdf(directory.resolve("manual.pdf"), List.of("Kiln operator manual.", "Chapter one explains how a job is planned.",
                "Every input file is hashed before it is read."), "Kiln Operator Manual");
        epub(directory.resolve("book.epub"));
        junk(directory.resolve("junk.bin"));
    }

    static void docx(Path file) throws IOException {
        try (XWPFDocument document = new XWPFDocument(); OutputStream out = Files.newOutputStream(file)) {
            document.getProperties().getCoreProperties().setTitle("Quarterly Report");
            document.getProperties().getCoreProperties().getUnderlyingProperties().setLanguageProperty("en-GB");
            document.createParagraph().createRun().setText("Revenue grew by four percent in the third quarter.");
            document.createParagraph().createRun().setText("The warehouse in Leeds opened in September.");
            document.write(out);
        }
    }

    static void pdf(Path file, List<String> lines, String title) throws IOException {
        try (PDDocument document = pdfDocument(lines, title)) {
            document.save(file.toFile());
        }
    }

    /** A PDF that opens only with the user password "kiln-user". */
    static void encryptedPdf(Path file) throws IOException {
        try (PDDocument document = pdfDocument(List.of("This text is secret."), "Secret")) {
            StandardProtectionPolicy policy = new StandardProtectionPolicy("kiln-owner", "kiln-user", new AccessPermission());
            policy.setEncryptionKeyLength(128);
            document.protect(policy);
            document.save(file.toFile());
        }
    }

    private static PDDocument pdfDocument(List<String> lines, String title) throws IOException {
        PDDocument document = new PDDocument();
        PDPage page = new PDPage();
        document.addPage(page);
        try (PDPageContentStream content = new PDPageContentStream(document, page)) {
            content.beginText();
            content.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
            content.newLineAtOffset(72, 700);
            for (String line : lines) {
                content.showText(line);
                content.newLineAtOffset(0, -18);
            }
            content.endText();
        }
        document.getDocumentInformation().setTitle(title);
        return document;
    }

    static void epub(Path file) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            byte[] mimetype = "application/epub+zip".getBytes(StandardCharsets.US_ASCII);
            ZipEntry entry = new ZipEntry("mimetype");
            entry.setMethod(ZipEntry.STORED);
            entry.setSize(mimetype.length);
            CRC32 crc = new CRC32();
            crc.update(mimetype);
            entry.setCrc(crc.getValue());
            entry.setTime(0);
            zip.putNextEntry(entry);
            zip.write(mimetype);
            zip.closeEntry();
            put(zip, "META-INF/container.xml", """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
                      <rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
                    </container>
                    """);
            put(zip, "OEBPS/content.opf", """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
                      <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
                        <dc:identifier id="id">urn:uuid:6f1c2a52-0000-4000-8000-000000000001</dc:identifier>
                        <dc:title>The Kiln Book</dc:title>
                        <dc:language>en</dc:language>
                      </metadata>
                      <manifest>
                        <item id="one" href="chapter1.xhtml" media-type="application/xhtml+xml"/>
                        <item id="two" href="chapter2.xhtml" media-type="application/xhtml+xml"/>
                      </manifest>
                      <spine><itemref idref="one"/><itemref idref="two"/></spine>
                    </package>
                    """);
            put(zip, "OEBPS/chapter1.xhtml", chapter("Chapter One", "Clay is shaped before it is fired."));
            put(zip, "OEBPS/chapter2.xhtml", chapter("Chapter Two", "The kiln turns clay into stoneware."));
        }
    }

    private static String chapter(String heading, String paragraph) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>" + heading
                + "</title></head><body><h1>" + heading + "</h1><p>" + paragraph + "</p></body></html>\n";
    }

    static void junk(Path file) throws IOException {
        byte[] bytes = new byte[4096];
        new Random(20261121L).nextBytes(bytes);
        Files.write(file, bytes);
    }

    /** A zip whose one text entry expands from about 10 KiB to 10 MB of text. */
    static void compressionBomb(Path file) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            ZipEntry entry = new ZipEntry("bomb.txt");
            entry.setTime(0);
            zip.putNextEntry(entry);
            byte[] block = "kiln ".repeat(200_000).getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 10; i++) {
                zip.write(block);
            }
            zip.closeEntry();
        }
    }

    /** Zips nested {@code depth} deep around a small text file. */
    static void nestedZip(Path file, int depth) throws IOException {
        byte[] content = "the innermost text".getBytes(StandardCharsets.US_ASCII);
        String name = "inner.txt";
        for (int level = 0; level < depth; level++) {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                ZipEntry entry = new ZipEntry(name);
                entry.setTime(0);
                zip.putNextEntry(entry);
                zip.write(content);
                zip.closeEntry();
            }
            content = bytes.toByteArray();
            name = "level" + level + ".zip";
        }
        Files.write(file, content);
    }

    private static void put(ZipOutputStream zip, String name, String text) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setTime(0);
        zip.putNextEntry(entry);
        zip.write(text.getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
    }
}
