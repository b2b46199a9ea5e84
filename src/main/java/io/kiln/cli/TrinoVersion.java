package io.kiln.cli;

/** The Trino release Kiln is tested with; the pom unpacks the same one (property trino.version). */
public final class TrinoVersion {
    public static final String VERSION = "476";

    private TrinoVersion() {}
}
