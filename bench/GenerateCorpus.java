import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Writes a JSONL corpus of {"id": ..., "text": ...} records, exactly BYTES long, for the ingest
 * benchmark. The text is real: paragraphs of the licenses, READMEs, changelogs and copyright
 * files installed under /usr/share/common-licenses and /usr/share/doc, composed into documents
 * of a few hundred bytes to about 20 KB, with some mess added (CRLF, runs of spaces, NBSP,
 * decomposed accents, trailing white space, zero-width characters) so that normalize has work.
 *
 * <p>The output is streamed (one document in memory at a time) to OUT.tmp and renamed to OUT at
 * the end. Given the same seed and the same installed files the output is the same; the
 * fingerprint printed at the end identifies the paragraph pool.
 *
 * <pre>java bench/GenerateCorpus.java OUT.jsonl BYTES [SEED]     BYTES: 1000000, 100M, 1G (decimal)</pre>
 */
public final class GenerateCorpus {
    private static final List<Path> ROOTS = List.of(Path.of("/usr/share/common-licenses"), Path.of("/usr/share/doc"));
    private static final Pattern TEXT_FILE = Pattern.compile(
            "(copyright|README.*|NEWS.*|CHANGELOG.*|changelog.*|.*\\.txt|.*\\.md|.*\\.rst)(\\.gz)?", Pattern.CASE_INSENSITIVE);
    private static final int MAX_BYTES_PER_FILE = 256 * 1024;
    private static final int MAX_BYTES_PER_CHANGELOG = 32 * 1024;
    private static final long MAX_POOL_CHARS = 40L * 1024 * 1024;
    private static final int MIN_DOCUMENT_BYTES = 300;
    private static final int MAX_DOCUMENT_BYTES = 20_000;
    private static final int MIN_FINAL_TEXT = 64;
    private static final String[] ACCENTED = {
        "café", "naïve", "résumé", "façade", "Zürich", "São Paulo", "Ångström", "crème brûlée", "jalapeño",
        "Dvořák", "Łódź", "Ærøskøbing", "coöperate", "déjà vu", "Málaga", "Kraków", "Reykjavík", "Björk",
    };
    private static final String[] OTHER_SCRIPTS = {
        "Καλημέρα κόσμε, η άδεια χρήσης ισχύει.", "Привет, мир! Лицензия распространяется свободно.",
        "日本語のテキストも含まれています。", "中文文本：自由软件许可证。", "مرحبا بالعالم، هذا نص تجريبي.",
        "שלום עולם, זהו טקסט לדוגמה.", "नमस्ते दुनिया, यह एक उदाहरण है।", "Tiếng Việt có dấu: người dùng.",
        "한국어 문장도 있습니다.", "Emoji too: 👍🏽 🚀 ✅ 👨‍👩‍👧",
    };

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: java bench/GenerateCorpus.java OUT.jsonl BYTES [SEED]   (BYTES: 1000000, 100M, 1G; decimal units)");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        long bytes = parseBytes(args[1]);
        long seed = args.length == 3 ? Long.parseLong(args[2]) : 42L;
        long started = System.nanoTime();

        Pool pool = Pool.load();
        if (pool.paragraphs.size() < 100) {
            throw new IllegalStateException("Cannot generate a corpus: only " + pool.paragraphs.size()
                    + " paragraphs of text found under " + ROOTS);
        }
        System.err.printf(Locale.ROOT, "generate-corpus: %d paragraphs (%.1f MB) from %d files, pool fingerprint %s%n",
                pool.paragraphs.size(), pool.chars / 1e6, pool.files, pool.fingerprint);

        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temporary = parent.resolve(out.getFileName() + ".tmp");
        Random random = new Random(seed);
        Stats stats = new Stats();
        try (OutputStream output = new BufferedOutputStream(Files.newOutputStream(temporary), 1 << 20)) {
            long written = 0;
            long number = 0;
            while (true) {
                number++;
                String text = mess(compose(pool, random), random, stats);
                byte[] line = record(number, text);
                if (bytes - written - line.length >= finalOverhead(number + 1) + MIN_FINAL_TEXT) {
                    output.write(line);
                    written += line.length;
                    stats.add(text.getBytes(StandardCharsets.UTF_8).length);
                    continue;
                }
                // the last record fills the file to exactly BYTES with plain ASCII text
                int fill = (int) (bytes - written - finalOverhead(number));
                if (fill < 1) {
                    throw new IllegalArgumentException("BYTES is too small for one record: " + bytes);
                }
                String filler = filler(pool, random, fill);
                line = record(number, filler);
                output.write(line);
                written += line.length;
                stats.add(fill);
                if (written != bytes) {
                    throw new IllegalStateException("wrote " + written + " bytes instead of " + bytes);
                }
                break;
            }
        }
        Files.move(temporary, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        double seconds = (System.nanoTime() - started) / 1e9;
        System.err.printf(Locale.ROOT, "generate-corpus: wrote %s: %d bytes, %d records (text bytes min %d, mean %.0f, max %d), seed %d, %.1f s%n",
                out, bytes, stats.count, stats.min, stats.total / (double) stats.count, stats.max, seed, seconds);
        System.err.printf(Locale.ROOT, "generate-corpus: mess in %% of documents: CRLF %.0f, space runs %.0f, NBSP %.0f, decomposed accents %.0f, other scripts %.0f, trailing white space %.0f, invisible characters %.0f%n",
                stats.percent(stats.crlf), stats.percent(stats.spaceRuns), stats.percent(stats.nbsp), stats.percent(stats.decomposed),
                stats.percent(stats.scripts), stats.percent(stats.trailing), stats.percent(stats.invisible));
    }

    static long parseBytes(String value) {
        String v = value.trim().toUpperCase(Locale.ROOT);
        long unit = 1;
        if (v.endsWith("B")) {
            v = v.substring(0, v.length() - 1);
        }
        if (v.endsWith("K")) {
            unit = 1_000L;
        }
        else if (v.endsWith("M")) {
            unit = 1_000_000L;
        }
        else if (v.endsWith("G")) {
            unit = 1_000_000_000L;
        }
        if (unit != 1) {
            v = v.substring(0, v.length() - 1);
        }
        return Math.multiplyExact(Long.parseLong(v), unit);
    }

    /** A document of a log-uniform target length: consecutive paragraphs from a random start, sometimes jumping elsewhere. */
    static String compose(Pool pool, Random random) {
        int target = (int) Math.round(Math.exp(Math.log(MIN_DOCUMENT_BYTES) + random.nextDouble() * (Math.log(MAX_DOCUMENT_BYTES) - Math.log(MIN_DOCUMENT_BYTES))));
        List<String> paragraphs = pool.paragraphs;
        int index = random.nextInt(paragraphs.size());
        StringBuilder text = new StringBuilder(target + 256);
        while (text.length() < target) {
            if (text.length() > 0) {
                text.append("\n\n");
            }
            text.append(paragraphs.get(index));
            index = random.nextInt(10) < 3 ? random.nextInt(paragraphs.size()) : (index + 1) % paragraphs.size();
        }
        if (text.length() > MAX_DOCUMENT_BYTES) {
            int cut = text.lastIndexOf(" ", MAX_DOCUMENT_BYTES);
            text.setLength(cut > MAX_DOCUMENT_BYTES / 2 ? cut : MAX_DOCUMENT_BYTES);
            if (Character.isHighSurrogate(text.charAt(text.length() - 1))) {
                text.setLength(text.length() - 1);
            }
        }
        return text.toString();
    }

    /** Adds, to some documents, the kinds of mess that normalize removes. */
    static String mess(String document, Random random, Stats stats) {
        String text = document;
        if (random.nextInt(100) < 12) {
            text = insertWords(text, random, ACCENTED, 1 + random.nextInt(4));
            text = Normalizer.normalize(text, Normalizer.Form.NFD);
            stats.decomposed++;
        }
        if (random.nextInt(100) < 5) {
            text = insertWords(text, random, OTHER_SCRIPTS, 1 + random.nextInt(2));
            stats.scripts++;
        }
        if (random.nextInt(100) < 20) {
            text = replaceSpaces(text, random, 6, () -> random.nextBoolean() ? "  " : "    ");
            stats.spaceRuns++;
        }
        if (random.nextInt(100) < 15) {
            text = replaceSpaces(text, random, 4, () -> "\u00A0");
            stats.nbsp++;
        }
        if (random.nextInt(100) < 10) {
            text = text.replace("\n\n", "\n\n\n\n").replace("\n", random.nextBoolean() ? " \t\n" : "   \n");
            text = "  " + text + " \n";
            stats.trailing++;
        }
        if (random.nextInt(100) < 3) {
            String[] invisible = {"\u200B", "\uFEFF", "\u00AD", "\u0007"};
            text = insertWords(text, random, invisible, 1 + random.nextInt(3));
            stats.invisible++;
        }
        if (random.nextInt(100) < 25) {
            text = text.replace("\n", "\r\n");
            stats.crlf++;
        }
        return text;
    }

    private static String insertWords(String text, Random random, String[] words, int count) {
        StringBuilder out = new StringBuilder(text);
        for (int i = 0; i < count; i++) {
            int at = out.indexOf(" ", random.nextInt(out.length()));
            String word = words[random.nextInt(words.length)];
            if (at < 0) {
                out.append(' ').append(word);
            }
            else {
                out.insert(at + 1, word + " ");
            }
        }
        return out.toString();
    }

    private static String replaceSpaces(String text, Random random, int percent, java.util.function.Supplier<String> replacement) {
        StringBuilder out = new StringBuilder(text.length() + 64);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ' ' && random.nextInt(100) < percent) {
                out.append(replacement.get());
            }
            else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Exactly {@code length} characters of printable ASCII that need no JSON escaping, taken from the pool. */
    static String filler(Pool pool, Random random, int length) {
        StringBuilder out = new StringBuilder(length);
        int index = random.nextInt(pool.paragraphs.size());
        boolean space = true;
        while (out.length() < length) {
            String paragraph = pool.paragraphs.get(index);
            for (int i = 0; i < paragraph.length() && out.length() < length; i++) {
                char c = paragraph.charAt(i);
                boolean plain = c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
                if (plain && c != ' ') {
                    out.append(c);
                    space = false;
                }
                else if (!space && (c == ' ' || c == '\n')) {
                    out.append(' ');
                    space = true;
                }
            }
            index = (index + 1) % pool.paragraphs.size();
            if (!space && out.length() < length) {
                out.append(' ');
                space = true;
            }
        }
        if (out.charAt(0) == ' ') {
            out.setCharAt(0, 'x');
        }
        return out.toString();
    }

    static String id(long number) {
        return String.format(Locale.ROOT, "doc-%09d", number);
    }

    private static int finalOverhead(long number) {
        return record(number, "").length;
    }

    static byte[] record(long number, String text) {
        StringBuilder line = new StringBuilder(text.length() + 48);
        line.append("{\"id\": \"").append(id(number)).append("\", \"text\": \"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> line.append("\\\"");
                case '\\' -> line.append("\\\\");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\t' -> line.append("\\t");
                default -> {
                    if (c < 0x20) {
                        line.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    }
                    else {
                        line.append(c);
                    }
                }
            }
        }
        line.append("\"}\n");
        return line.toString().getBytes(StandardCharsets.UTF_8);
    }

    static final class Stats {
        long count;
        long total;
        long min = Long.MAX_VALUE;
        long max;
        long crlf;
        long spaceRuns;
        long nbsp;
        long decomposed;
        long scripts;
        long trailing;
        long invisible;

        void add(long textBytes) {
            count++;
            total += textBytes;
            min = Math.min(min, textBytes);
            max = Math.max(max, textBytes);
        }

        double percent(long n) {
            return count == 0 ? 0 : 100.0 * n / count;
        }
    }

    /** Distinct paragraphs of the installed text files, in a deterministic order. */
    static final class Pool {
        final List<String> paragraphs = new ArrayList<>();
        long chars;
        int files;
        String fingerprint;

        static Pool load() throws Exception {
            List<Path> candidates = new ArrayList<>();
            for (Path root : ROOTS) {
                if (!Files.isDirectory(root)) {
                    continue;
                }
                try (Stream<Path> walk = Files.walk(root)) {
                    walk.filter(Files::isRegularFile)
                            .filter(path -> root.endsWith("common-licenses") || TEXT_FILE.matcher(path.getFileName().toString()).matches())
                            .forEach(candidates::add);
                }
            }
            candidates.sort(null);
            Pool pool = new Pool();
            Set<String> seenFiles = new HashSet<>();
            Set<String> seenParagraphs = new HashSet<>();
            MessageDigest fingerprint = MessageDigest.getInstance("SHA-256");
            for (Path file : candidates) {
                if (pool.chars >= MAX_POOL_CHARS) {
                    break;
                }
                boolean changelog = file.getFileName().toString().toLowerCase(Locale.ROOT).startsWith("changelog");
                String text = readText(file, changelog ? MAX_BYTES_PER_CHANGELOG : MAX_BYTES_PER_FILE);
                if (text == null || !seenFiles.add(text)) {
                    continue;
                }
                pool.files++;
                for (String paragraph : text.split("\\n[ \\t]*\\n")) {
                    String p = paragraph.strip();
                    if (p.length() < 40 || !mostlyLetters(p) || !seenParagraphs.add(p)) {
                        continue;
                    }
                    pool.paragraphs.add(p);
                    pool.chars += p.length();
                    fingerprint.update(p.getBytes(StandardCharsets.UTF_8));
                }
            }
            pool.fingerprint = HexFormat.of().formatHex(fingerprint.digest()).substring(0, 16);
            return pool;
        }

        /** The file's text, or null when it is not UTF-8 text. */
        private static String readText(Path file, int maxBytes) {
            try (InputStream raw = Files.newInputStream(file);
                    InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                byte[] buffer = new byte[8192];
                int n;
                while (bytes.size() < maxBytes && (n = in.read(buffer)) > 0) {
                    bytes.write(buffer, 0, n);
                }
                byte[] content = bytes.toByteArray();
                int length = Math.min(content.length, maxBytes);
                // cut at the last newline so that no UTF-8 sequence is split
                while (length > 0 && length < content.length && content[length - 1] != '\n') {
                    length--;
                }
                String text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(content, 0, length))
                        .toString();
                if (text.indexOf('\0') >= 0) {
                    return null;
                }
                return text.replace("\r\n", "\n");
            }
            catch (CharacterCodingException e) {
                return null;
            }
            catch (IOException e) {
                return null;
            }
        }

        private static boolean mostlyLetters(String paragraph) {
            int letters = 0;
            for (int i = 0; i < paragraph.length(); i++) {
                if (Character.isLetter(paragraph.charAt(i))) {
                    letters++;
                }
            }
            return letters * 2 > paragraph.length();
        }
    }
}
