package io.kiln.source;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * One input file of a job. {@code uri} is the canonical {@code file:} URI recorded in lineage;
 * {@code relativeName} is its path below the source's base directory (the id of a text document).
 */
public record InputFile(String uri, Path path, String relativeName, long size) {
    public InputFile {
        requireNonNull(uri, "uri is null");
        requireNonNull(path, "path is null");
        requireNonNull(relativeName, "relativeName is null");
    }
}
