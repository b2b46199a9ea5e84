package io.kiln.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * What Kiln asks of an engine that two catalogs may share ({@code kiln.checks.engine.mode=external}):
 * every audit and history request names the catalog, so each catalog's table keeps its own history.
 */
class ManagedCheckEngineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    HttpServer fakeEngine;
    final List<String> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startFakeEngine() throws IOException {
        fakeEngine = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        fakeEngine.createContext("/verify", exchange -> answer(exchange, "{\"outcome\":\"PASSED\",\"rules\":[]}"));
        fakeEngine.createContext("/metrics", exchange -> answer(exchange, "{\"table\":\"demo.docs\",\"history\":[]}"));
        fakeEngine.start();
    }

    @AfterEach
    void stopFakeEngine() {
        fakeEngine.stop(0);
    }

    @Test
    void eachCatalogAsksForItsOwnHistoryOfATableOfOneName() throws IOException {
        try (ManagedCheckEngine first = external("5b370dd7-first"); ManagedCheckEngine second = external("9c1e00aa-second")) {
            first.verify(verification());
            second.verify(verification());
            first.metrics("demo.docs");
            second.metrics("demo.docs");
        }

        assertThat(requests).hasSize(4);
        assertThat(JSON.readTree(requests.get(0)).path("catalogId").asText()).isEqualTo("5b370dd7-first");
        assertThat(JSON.readTree(requests.get(1)).path("catalogId").asText()).isEqualTo("9c1e00aa-second");
        assertThat(requests.subList(2, 4)).containsExactly("table=demo.docs&catalogId=5b370dd7-first", "table=demo.docs&catalogId=9c1e00aa-second");
    }

    private ManagedCheckEngine external(String catalogId) {
        ManagedCheckEngine engine = new ManagedCheckEngine(new ManagedCheckEngine.Settings(catalogId, false,
                Optional.of("http://127.0.0.1:" + fakeEngine.getAddress().getPort()), Path.of("checks/target/engine"), Path.of(System.getProperty("java.home")),
                "local[1]", "1g", Path.of("unused"), Path.of("unused.log"), Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(60)));
        engine.start();
        return engine;
    }

    private static CheckEngine.Verification verification() {
        return new CheckEngine.Verification("text-default", "Rules = [ RowCount > 0 ]", "kiln", Map.of("uri", "jdbc:sqlite:catalog.db"),
                "demo.docs", 42L, null, "job-1", List.of());
    }

    private void answer(HttpExchange exchange, String body) throws IOException {
        String query = exchange.getRequestURI().getRawQuery();
        requests.add(query != null ? query : new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
