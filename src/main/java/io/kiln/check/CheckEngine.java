package io.kiln.check;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The data-quality engine (Spark + Deequ in its own JVM). Every method throws
 * {@link CheckEngineException} when the engine cannot answer; callers fail closed.
 */
public interface CheckEngine {
    /** Parses a suite without running it. */
    Validation validate(String suite);

    /** Evaluates the suite on exactly {@code snapshotId} of {@code table}. */
    List<CheckResult> verify(Verification request);

    /** The table's metric history, oldest first. */
    JsonNode metrics(String table);

    Status status();

    record Validation(boolean valid, String error, List<String> rules) {
        public Validation {
            rules = rules == null ? List.of() : List.copyOf(rules);
        }
    }

    /** {@code distinctFromBase}: columns whose batch values must not occur in the base snapshot (each a {@code DistinctFromBase "c"} result). */
    record Verification(String suiteName, String suite, String catalogName, Map<String, String> catalogProperties, String table,
            long snapshotId, Long baseSnapshotId, String jobId, List<String> distinctFromBase) {
        public Verification {
            distinctFromBase = List.copyOf(distinctFromBase);
        }
    }

    record Status(String state, Long pid, Integer port, int restarts, String lastError) {}
}
