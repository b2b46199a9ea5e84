package io.kiln.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystems;
import java.nio.file.LinkOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Turns a source URI ({@code file:} only: a file, a directory, or a glob such as
 * {@code file:///data/raw/*.jsonl}) into the sorted list of files it names, and refuses anything
 * outside the configured source roots (after resolving symbolic links).
 */
public final class SourceResolver {
    private final List<Path> roots;

    public SourceResolver(List<Path> roots) {
        this.roots = roots.stream().map(SourceResolver::realPath).toList();
    }

    /** Whether a file a step reads (a model, a vocabulary) lies inside the source roots, after resolving symbolic links. */
    public boolean contains(Path file) {
        Path real = realPath(file.toAbsolutePath().normalize());
        return roots.stream().anyMatch(real::startsWith);
    }

    /** @throws SourceException with a message naming what is wrong with the URI */
    public List<InputFile> resolve(String uriText) {
        int colon = uriText.indexOf(':');
        String scheme = colon > 0 ? uriText.substring(0, colon) : null;
        if (scheme == null || !"file".equalsIgnoreCase(scheme)) {
            throw new SourceException("must be a file URI (file:///path), was " + (scheme == null ? "a URI without a scheme" : "scheme " + scheme));
        }
        String pathText = filePath(uriText.substring(colon + 1));
        if (roots.isEmpty()) {
            throw new SourceException("is outside the source roots: no source roots are configured (set kiln.source-roots)");
        }
        int globStart = firstGlobSegment(pathText);
        Path base;
        PathMatcher matcher = null;
        try {
            if (globStart < 0) {
                base = Path.of(pathText).normalize();
            }
            else {
                base = Path.of(pathText.substring(0, globStart)).normalize();
                matcher = FileSystems.getDefault().getPathMatcher("glob:" + pathText.substring(globStart));
            }
        }
        catch (IllegalArgumentException e) {
            throw new SourceException("is not a valid path or glob: " + e.getMessage());
        }
        // the roots first, and the same answer whether the path exists or not: nothing outside them may be probed
        if (roots.stream().noneMatch(realPathOfExisting(base)::startsWith)) {
            throw new SourceException("is outside the configured source roots");
        }
        if (!Files.exists(base)) {
            throw new SourceException("does not exist: " + base);
        }
        Path realBase = realPath(base);
        List<InputFile> files = new ArrayList<>();
        if (Files.isRegularFile(realBase) && matcher == null) {
            files.add(inputFile(realBase, realBase.getFileName().toString()));
        }
        else if (Files.isDirectory(realBase)) {
            PathMatcher glob = matcher;
            try (Stream<Path> walk = Files.walk(realBase)) {
                walk.filter(Files::isRegularFile)
                        .filter(path -> !isHidden(realBase.relativize(path)))
                        .filter(path -> glob == null || glob.matches(realBase.relativize(path)))
                        .forEach(path -> {
                            Path real = realPath(path);
                            if (roots.stream().noneMatch(real::startsWith)) {
                                throw new SourceException("links to a file outside the configured source roots: " + realBase.relativize(path));
                            }
                            files.add(inputFile(real, realBase.relativize(path).toString()));
                        });
            }
            catch (IOException | UncheckedIOException e) {
                throw new SourceException("cannot be listed: " + e.getMessage());
            }
        }
        else {
            throw new SourceException("is not a file or directory");
        }
        for (InputFile file : files) {
            if (!Files.isReadable(file.path())) {
                throw new SourceException("names a file that cannot be read: " + file.relativeName());
            }
        }
        if (files.isEmpty()) {
            throw new SourceException("matches no files");
        }
        files.sort(Comparator.comparing(InputFile::uri));
        return List.copyOf(files);
    }

    private static String filePath(String schemeSpecific) {
        String path = schemeSpecific;
        if (path.startsWith("//")) {
            int slash = path.indexOf('/', 2);
            String authority = slash < 0 ? path.substring(2) : path.substring(2, slash);
            if (!authority.isEmpty() && !"localhost".equals(authority)) {
                throw new SourceException("must name a local path (file:///path), not host " + authority);
            }
            path = slash < 0 ? "" : path.substring(slash);
        }
        if (!path.startsWith("/")) {
            throw new SourceException("must be an absolute file URI (file:///path)");
        }
        try {
            return new URI("file://" + path).getPath();
        }
        catch (URISyntaxException e) {
            return path;
        }
    }

    /** A file found inside the roots, pinned there ({@link InputFile.Pin}): the job reads that file and no other. */
    private InputFile inputFile(Path path, String relativeName) {
        try {
            return pinned(path, relativeName, rootOf(path).orElseThrow(() -> new SourceException("links to a file outside the configured source roots: "
                    + relativeName)));
        }
        catch (IOException e) {
            throw new SourceException("names a file that cannot be read: " + relativeName);
        }
    }

    /**
     * The file at {@code file}, pinned, when it lies inside the source roots after resolving symbolic
     * links; empty when it does not.
     *
     * @throws IOException when it does not exist or cannot be resolved
     */
    public Optional<InputFile> pinned(Path file) throws IOException {
        Path real = file.toRealPath();
        Optional<Path> root = rootOf(real);
        if (root.isEmpty()) {
            return Optional.empty();
        }
        Path name = real.getFileName();
        return Optional.of(pinned(real, name == null ? real.toString() : name.toString(), root.get()));
    }

    /** {@code real}: a real path (no links) inside {@code root}. */
    private static InputFile pinned(Path real, String relativeName, Path root) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isRegularFile()) {
            throw new IOException("not a regular file");
        }
        return new InputFile(real.toUri().toString(), real, relativeName, attributes.size(), Optional.of(new InputFile.Pin(root, attributes.fileKey())));
    }

    private Optional<Path> rootOf(Path real) {
        return roots.stream().filter(real::startsWith).findFirst();
    }

    private static boolean isHidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static int firstGlobSegment(String path) {
        int segmentStart = 0;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '/') {
                segmentStart = i + 1;
            }
            else if (c == '*' || c == '?' || c == '[' || c == '{') {
                return segmentStart;
            }
        }
        return -1;
    }

    /** The real path of the nearest existing ancestor with the rest of {@code path} under it: where the path is, whether it exists or not. */
    private static Path realPathOfExisting(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        for (Path existing = absolute; existing != null; existing = existing.getParent()) {
            if (Files.exists(existing)) {
                return realPath(existing).resolve(existing.relativize(absolute)).normalize();
            }
        }
        return absolute;
    }

    private static Path realPath(Path path) {
        try {
            return path.toRealPath();
        }
        catch (IOException e) {
            return path.toAbsolutePath().normalize();
        }
    }
}
