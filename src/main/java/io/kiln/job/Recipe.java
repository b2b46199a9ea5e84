package io.kiln.job;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * How rows are made, independent of which files are read: the parser settings and every step
 * with its version and parameters, as canonical JSON ({@link #canonical()}), and its sha256
 * ({@link #sha256()}), which every row and snapshot records.
 */
public record Recipe(String canonical, String sha256) {
    public static final int RECIPE_FORMAT = 1;
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    public Recipe {
        requireNonNull(canonical, "canonical is null");
        requireNonNull(sha256, "sha256 is null");
    }

    /** {@code source}: how the source format turns bytes into rows ({@link io.kiln.source.SourceFormat#recipe}). */
    public static Recipe of(Map<String, Object> source, List<Map<String, Object>> steps) {
        Map<String, Object> recipe = new LinkedHashMap<>();
        recipe.put("recipe-format", RECIPE_FORMAT);
        recipe.put("source", source);
        recipe.put("steps", steps);
        try {
            String canonical = CANONICAL.writeValueAsString(recipe);
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return new Recipe(canonical, HexFormat.of().formatHex(digest.digest(canonical.getBytes(StandardCharsets.UTF_8))));
        }
        catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
