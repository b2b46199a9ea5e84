package io.kiln.checks;

import java.util.Map;
import java.util.TreeMap;

/**
 * An Iceberg catalog as Kiln describes it: a name and Iceberg catalog properties ({@code type},
 * {@code uri}, {@code warehouse}, {@code io-impl}, {@code jdbc.*}, {@code s3.*}, ...). Two specs are the
 * same catalog when name and properties are equal. Property values may be secrets: never print them.
 */
public record CatalogSpec(String name, Map<String, String> properties) {
    public CatalogSpec {
        if (name == null || name.isBlank()) {
            throw new EngineException(ErrorCode.INVALID_REQUEST, "catalog.name is missing");
        }
        if (!name.matches("[A-Za-z0-9_\\-]+")) {
            throw new EngineException(ErrorCode.INVALID_REQUEST,
                    "Invalid catalog.name '" + name + "': use letters, digits, '_' and '-'");
        }
        if (properties == null) {
            throw new EngineException(ErrorCode.INVALID_REQUEST, "catalog.properties is missing");
        }
        properties.forEach((key, value) -> {
            if (key == null || key.isBlank() || value == null) {
                throw new EngineException(ErrorCode.INVALID_REQUEST,
                        "catalog.properties must map non-empty names to string values");
            }
        });
        properties = Map.copyOf(new TreeMap<>(properties));
    }

    @Override
    public String toString() {
        return "CatalogSpec[name=" + name + ", properties=" + new TreeMap<>(properties).keySet() + "]";
    }
}
