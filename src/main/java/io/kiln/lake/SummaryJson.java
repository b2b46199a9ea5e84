package io.kiln.lake;

import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * JSON in snapshot summary values (segment lists, check results, pin records, counts): written and
 * read one way. A value that is absent or does not read as the type is empty: another writer's.
 */
public final class SummaryJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SummaryJson() {}

    public static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write " + value.getClass().getSimpleName() + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static <T> Optional<T> read(String json, TypeReference<T> type) {
        if (json == null || json.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(JSON.readValue(json, type));
        }
        catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    public static <T> Optional<T> read(String json, Class<T> type) {
        return read(json, new TypeReference<T>() {
            @Override
            public java.lang.reflect.Type getType() {
                return type;
            }
        });
    }
}
