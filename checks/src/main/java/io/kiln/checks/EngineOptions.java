package io.kiln.checks;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Command line of the engine process.
 *
 * @param port 0 picks a free port
 * @param master any Spark master URL
 * @param metricsDirectory where each table's metric history lives
 * @param sparkConf extra Spark settings from {@code --conf key=value}
 */
public record EngineOptions(int port, String master, Path metricsDirectory, Map<String, String> sparkConf) {
    static final String USAGE = "usage: io.kiln.checks.CheckEngine --metrics-dir DIR [--port N] [--master URL] [--conf KEY=VALUE]...";

    public EngineOptions {
        requireNonNull(master, "master is null");
        requireNonNull(metricsDirectory, "metricsDirectory is null");
        sparkConf = Map.copyOf(sparkConf);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be between 0 and 65535, was " + port);
        }
    }

    public static EngineOptions parse(String... args) {
        int port = 0;
        String master = "local[*]";
        Path metrics = null;
        Map<String, String> conf = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name + " needs a value; " + USAGE);
            }
            String value = args[++i];
            switch (name) {
                case "--port" -> {
                    try {
                        port = Integer.parseInt(value);
                    }
                    catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--port is not a number: " + value);
                    }
                }
                case "--master" -> master = value;
                case "--metrics-dir" -> metrics = Path.of(value);
                case "--conf" -> {
                    int equals = value.indexOf('=');
                    if (equals <= 0) {
                        throw new IllegalArgumentException("--conf needs KEY=VALUE, was " + value);
                    }
                    conf.put(value.substring(0, equals), value.substring(equals + 1));
                }
                default -> throw new IllegalArgumentException("unknown option " + name + "; " + USAGE);
            }
        }
        if (metrics == null) {
            throw new IllegalArgumentException("--metrics-dir is required; " + USAGE);
        }
        return new EngineOptions(port, master, metrics, conf);
    }
}
