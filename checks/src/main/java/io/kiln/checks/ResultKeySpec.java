package io.kiln.checks;

import java.util.Map;
import java.util.TreeMap;

/** Deequ's result key: when the run happened and tags (job, table, snapshot) that identify it. */
public record ResultKeySpec(long timestampMillis, Map<String, String> tags) {
    public ResultKeySpec {
        tags = tags == null ? Map.of() : Map.copyOf(new TreeMap<>(tags));
        tags.forEach((key, value) -> {
            if (key == null || value == null) {
                throw new EngineException(ErrorCode.INVALID_REQUEST, "resultKey.tags must map names to strings");
            }
        });
    }
}
