package io.kiln.api.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.kiln.KilnConfig;

/**
 * The configured API keys, each by the sha256 of its secret: the secret is never configured, kept
 * or logged. A presented key is hashed and compared with every configured hash in constant time.
 */
public final class ApiKeys {
    /** One key: its id in configuration, the name calls are recorded under, and its role. */
    public record Key(String id, String name, String role) {}

    private final Map<String, byte[]> hashes = new LinkedHashMap<>();
    private final Map<String, Key> keys = new LinkedHashMap<>();

    /** @throws IllegalStateException naming the key whose configuration is wrong */
    public ApiKeys(Map<String, KilnConfig.ApiKey> configured) {
        for (Map.Entry<String, KilnConfig.ApiKey> entry : configured.entrySet()) {
            String id = entry.getKey();
            String sha256 = entry.getValue().sha256().strip().toLowerCase(Locale.ROOT);
            if (!sha256.matches("[0-9a-f]{64}")) {
                throw new IllegalStateException("kiln.auth.api-keys." + id + ".sha256 must be the 64 hex digits of the key's sha256 (kiln api-key prints a new key and its hash)");
            }
            String role = entry.getValue().role().strip();
            if (!Roles.ALL.contains(role)) {
                throw new IllegalStateException("kiln.auth.api-keys." + id + ".role must be one of " + String.join(", ", Roles.ALL) + ", was '" + role + "'");
            }
            hashes.put(id, HexFormat.of().parseHex(sha256));
            keys.put(id, new Key(id, entry.getValue().name().map(String::strip).filter(name -> !name.isEmpty()).orElse(id), role));
        }
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }

    public int size() {
        return keys.size();
    }

    /** The key whose secret this is; every configured hash is compared, so the time taken does not say which matched. */
    public Optional<Key> find(String secret) {
        byte[] hash = sha256(secret);
        Key found = null;
        for (Map.Entry<String, byte[]> entry : hashes.entrySet()) {
            if (MessageDigest.isEqual(hash, entry.getValue()) && found == null) {
                found = keys.get(entry.getKey());
            }
        }
        return Optional.ofNullable(found);
    }

    public static byte[] sha256(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
