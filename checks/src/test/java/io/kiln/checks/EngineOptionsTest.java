package io.kiln.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EngineOptionsTest {
    @Test
    void defaultsToAnyFreePortAndAllLocalCores() {
        EngineOptions options = EngineOptions.parse("--metrics-dir", "/var/kiln/metrics");

        assertThat(options).isEqualTo(new EngineOptions(0, "local[*]", Path.of("/var/kiln/metrics"), Map.of()));
    }

    @Test
    void parsesEveryOption() {
        EngineOptions options = EngineOptions.parse("--port", "8123", "--master", "spark://spark:7077",
                "--metrics-dir", "m", "--conf", "spark.executor.memory=2g", "--conf", "a=b=c");

        assertThat(options).isEqualTo(new EngineOptions(8123, "spark://spark:7077", Path.of("m"),
                Map.of("spark.executor.memory", "2g", "a", "b=c")));
    }

    @Test
    void aStandaloneEngineCanListenBeyondLoopbackAndOutliveItsStdin() {
        EngineOptions options = EngineOptions.parse("--metrics-dir", "m", "--bind", "0.0.0.0", "--standalone", "--port", "9500");

        assertThat(options).isEqualTo(new EngineOptions(9500, "local[*]", Path.of("m"), Map.of(), "0.0.0.0", true, Optional.empty()));
        assertThat(EngineOptions.parse("--metrics-dir", "m").standalone()).as("a child of Kiln dies with Kiln").isFalse();
    }

    @Test
    void namesTheCatalogThatTheHistoriesKeptByTableNameAloneBelongTo() {
        assertThat(EngineOptions.parse("--metrics-dir", "m", "--unkeyed-history-catalog", "5b370dd7-3c32").unkeyedHistoryCatalog()).contains("5b370dd7-3c32");
        assertThat(EngineOptions.parse("--metrics-dir", "m").unkeyedHistoryCatalog()).isEmpty();
        assertThatThrownBy(() -> EngineOptions.parse("--metrics-dir", "m", "--unkeyed-history-catalog", "../etc"))
                .hasMessage("--unkeyed-history-catalog: Invalid catalog id '../etc': expected 1 to 64 letters, digits, '_' and '-'");
    }

    @Test
    void refusesBadCommandLines() {
        assertThatThrownBy(() -> EngineOptions.parse()).hasMessageStartingWith("--metrics-dir is required");
        assertThatThrownBy(() -> EngineOptions.parse("--metrics-dir")).hasMessageStartingWith("--metrics-dir needs a value");
        assertThatThrownBy(() -> EngineOptions.parse("--metrics-dir", "m", "--port", "x")).hasMessage("--port is not a number: x");
        assertThatThrownBy(() -> EngineOptions.parse("--metrics-dir", "m", "--port", "70000"))
                .hasMessage("--port must be between 0 and 65535, was 70000");
        assertThatThrownBy(() -> EngineOptions.parse("--metrics-dir", "m", "--verbose", "1")).hasMessageStartingWith("unknown option --verbose");
        assertThatThrownBy(() -> EngineOptions.parse("--metrics-dir", "m", "--conf", "novalue")).hasMessage("--conf needs KEY=VALUE, was novalue");
    }
}
