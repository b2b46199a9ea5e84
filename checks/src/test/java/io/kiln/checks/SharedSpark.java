package io.kiln.checks;

import java.util.Map;

/** One Spark runtime for every in-process test in the JVM: starting Spark costs seconds. */
final class SharedSpark {
    private static SparkRuntime runtime;

    private SharedSpark() {}

    static synchronized SparkRuntime runtime() {
        if (runtime == null) {
            runtime = SparkRuntime.start("local[2]", Map.of());
            Runtime.getRuntime().addShutdownHook(new Thread(runtime::close));
        }
        return runtime;
    }
}
