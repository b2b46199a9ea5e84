package io.kiln.api.auth;

import java.util.List;
import java.util.Set;

/**
 * Kiln's roles, each holding the ones below it: {@code reader} reads tables, snapshots, rows,
 * exports, resolutions and lineage; {@code writer} also submits, cancels and reproduces jobs and
 * creates pins; {@code admin} also deletes pins and runs maintenance.
 */
public final class Roles {
    public static final String READER = "reader";
    public static final String WRITER = "writer";
    public static final String ADMIN = "admin";
    /** From the least to the most. */
    public static final List<String> ALL = List.of(READER, WRITER, ADMIN);

    private Roles() {}

    /** A role and every role below it. */
    public static Set<String> implied(String role) {
        int at = ALL.indexOf(role);
        if (at < 0) {
            throw new IllegalArgumentException("unknown role '" + role + "'; roles are " + String.join(", ", ALL));
        }
        return Set.copyOf(ALL.subList(0, at + 1));
    }
}
