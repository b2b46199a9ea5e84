package io.kiln.checks;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Command line of the engine process.
 *
 * @param port 0 picks a free port
 * @param master any Spark master URL
 * @param metricsDirectory where each table's metric history lives
 * @param sparkConf extra Spark settings from {@code --conf key=value}
 * @param bindAddress where the HTTP API listens: 127.0.0.1 (the default) for a child of Kiln, another
 *        address for an engine that Kiln reaches over the network ({@code kiln.checks.engine.mode=external})
 * @param standalone run until stopped, not until stdin closes (a child of Kiln dies with Kiln; a
 *        standalone engine, e.g. in its own container, has no parent)
 * @param unkeyedHistoryCatalog the catalog whose histories were kept before histories were kept per
 *        catalog ({@code <metrics-dir>/<table>.json}): at start they move into its folder
 */
public record EngineOptions(int port, String master, Path metricsDirectory, Map<String, String> sparkConf, String bindAddress, boolean standalone,
                            Optional<String> unkeyedHistoryCatalog) {
    static final String USAGE = "usage: io.kiln.checks.CheckEngine --metrics-dir DIR [--port N] [--master URL] [--conf KEY=VALUE]... [--bind ADDRESS] [--standalone]"
            + " [--unkeyed-history-catalog CATALOG_ID]";

    public EngineOptions(int port, String master, Path metricsDirectory, Map<String, String> sparkConf) {
        this(port, master, metricsDirectory, sparkConf, "127.0.0.1", false, Optional.empty());
    }

    public EngineOptions {
        requireNonNull(master, "master is null");
        requireNonNull(metricsDirectory, "metricsDirectory is null");
        sparkConf = Map.copyOf(sparkConf);
        requireNonNull(bindAddress, "bindAddress is null");
        requireNonNull(unkeyedHistoryCatalog, "unkeyedHistoryCatalog is null");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be between 0 and 65535, was " + port);
        }
    }

    public static EngineOptions parse(String... args) {
        int port = 0;
        String master = "local[*]";
        Path metrics = null;
        Map<String, String> conf = new LinkedHashMap<>();
        String bind = "127.0.0.1";
        boolean standalone = false;
        Optional<String> unkeyedHistoryCatalog = Optional.empty();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (name.equals("--standalone")) {
                standalone = true;
                continue;
            }
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
                case "--bind" -> bind = value;
                case "--unkeyed-history-catalog" -> {
                    try {
                        unkeyedHistoryCatalog = Optional.of(MetricsHistory.checkCatalogId(value));
                    }
                    catch (EngineException e) {
                        throw new IllegalArgumentException("--unkeyed-history-catalog: " + e.getMessage());
                    }
                }
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
        return new EngineOptions(port, master, metrics, conf, bind, standalone, unkeyedHistoryCatalog);
    }
}
