package io.kiln.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Where the CLI finds its API key: {@code KILN_API_KEY}, else the file {@code $XDG_CONFIG_HOME/kiln/api-key} (default {@code ~/.config/kiln/api-key}). */
final class ApiKeySource
{
    private ApiKeySource() {}

    static Optional<String> find()
    {
        return find(System.getenv("KILN_API_KEY"), System.getenv("XDG_CONFIG_HOME"), System.getProperty("user.home"));
    }

    static Optional<String> find(String environment, String configHome, String home)
    {
        if (environment != null && !environment.isBlank()) {
            return Optional.of(environment.strip());
        }
        Path file = file(configHome, home);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8).strip()).filter(key -> !key.isEmpty());
        }
        catch (IOException e) {
            throw new UsageFailureException("cannot read the API key file %s: %s".formatted(file, e.getMessage()));
        }
    }

    static Path file(String configHome, String home)
    {
        Path base = configHome != null && !configHome.isBlank() ? Path.of(configHome) : Path.of(home == null ? "." : home, ".config");
        return base.resolve("kiln").resolve("api-key");
    }
}
