package io.kiln.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import com.fasterxml.jackson.databind.JsonNode;

import io.kiln.api.auth.ApiKeys;

/**
 * A real Kiln process listening on every interface with API keys from its environment, and its web
 * console driven in a real browser (Chromium, headless): without a key the console says so; with a
 * reader's key it lists the jobs with their counts and rejects, a table's snapshots, pins and check
 * metric plots, a snapshot's check results and lineage, and the rejects with their reasons. The
 * test saves a screenshot of each page in {@code target/console-screenshots}.
 */
class ApiKeyConsoleIT {
    private static final String LINEAGE_KEY = "ol-key-7c1d2e9b4a";
    private static final String WRITER = "kiln_it-writer-0123456789abcdef";
    private static final String READER = "kiln_it-reader-0123456789abcdef";
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures").toAbsolutePath();
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    Path temp;

    private static String sha256(String key) {
        return HexFormat.of().formatHex(ApiKeys.sha256(key));
    }

    /** The console's main pages, as the browser drew them: {@code target/console-screenshots/<page>.png}. */
    private static void screenshot(WebDriver driver, String page) throws java.io.IOException {
        Path directory = Files.createDirectories(Path.of("target", "console-screenshots"));
        byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        assertThat(png).hasSizeGreaterThan(1000);
        Files.write(directory.resolve(page + ".png"), png);
    }

    @Test
    void aKeyedKilnRefusesCallsWithoutAKeyAndServesItsConsoleToABrowser() throws Exception {
        boolean browser = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if ("true".equals(System.getenv("CI"))) {
            assertThat(browser).as("CI needs Chromium and its driver (apt-get install chromium chromium-driver; .ci/run installs them)").isTrue();
        }
        // a lineage server (Marquez's endpoint, as a plain HTTP server) that the service sends its OpenLineage events to, with a key
        List<String> lineage = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer marquez = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        marquez.createContext("/api/v1/lineage", exchange -> {
            lineage.add(exchange.getRequestHeaders().getFirst("Authorization") + " " + new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(201, -1);
            exchange.close();
        });
        marquez.start();
        Map<String, String> environment = new java.util.HashMap<>(Map.of("KILN_DATA_DIR", temp.resolve("data").toString(), "KILN_CHECKS_ENGINE_MODE", "off",
                "KILN_SOURCE_ROOTS", FIXTURES.toString(), "QUARKUS_HTTP_HOST", "0.0.0.0",
                "KILN_AUTH_API_KEYS_ETL_SHA256", sha256(WRITER), "KILN_AUTH_API_KEYS_ETL_ROLE", "writer", "KILN_AUTH_API_KEYS_ETL_NAME", "airflow-etl",
                "KILN_AUTH_API_KEYS_NB_SHA256", sha256(READER), "KILN_AUTH_API_KEYS_NB_ROLE", "reader"));
        environment.putAll(Map.of("KILN_OPENLINEAGE_TRANSPORT", "http", "KILN_OPENLINEAGE_URL", "http://127.0.0.1:" + marquez.getAddress().getPort(),
                "KILN_OPENLINEAGE_API_KEY", LINEAGE_KEY));
        try (KilnProcess kiln = KilnProcess.start(environment, List.of(), Files.createFile(temp.resolve("kiln.log")))) {
            assertThat(kiln.logTail()).contains("every request needs one of its 2 API keys");
            assertThat(kiln.get("/v1/tables").status()).isEqualTo(401);
            kiln.useApiKey(READER);
            assertThat(kiln.get("/v1/tables").status()).isEqualTo(200);
            assertThat(kiln.post("/v1/jobs", Map.of()).status()).as("a reader may not submit").isEqualTo(403);

            kiln.useApiKey(WRITER);
            Path tabular = FIXTURES.resolve("tabular");
            JsonNode submitted = kiln.post("/v1/jobs", Map.of("table", "zoo.penguins_geo",
                    "source", Map.of("uri", "file://" + tabular.resolve("penguins.csv"), "format", "csv", "id", Map.of("from", "position"), "csv", Map.of("nullValue", "NA")),
                    "join", List.of(Map.of("source", Map.of("uri", "file://" + tabular.resolve("islands.csv"), "format", "csv"), "on", List.of("island"),
                            "type", "left", "duplicates", "first")),
                    "maxRejectedRate", 0.1)).json();
            assertThat(submitted.path("submittedBy").asText()).isEqualTo("airflow-etl");
            JsonNode job = kiln.awaitFinalJob(submitted.path("id").asText());
            assertThat(job.path("state").asText()).as("%s", job).isEqualTo("PUBLISHED");
            assertThat(kiln.log()).contains("airflow-etl (writer) POST /v1/jobs -> 202").doesNotContain(WRITER);
            assertLineageSent(lineage, job);
            assertThat(kiln.log()).contains("OpenLineage events go to http://127.0.0.1:" + marquez.getAddress().getPort() + "/api/v1/lineage")
                    .doesNotContain(LINEAGE_KEY);

            if (!browser) {
                Assumptions.abort("no Chromium here (apt-get install chromium chromium-driver); the console was not driven");
            }
            ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile()).addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,900",
                    "--user-data-dir=" + temp.resolve("chromium"));
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
            WebDriver driver = new ChromeDriver(service, options);
            try {
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
                driver.get(kiln.url() + "/#/jobs");
                WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("error")));
                assertThat(error.getText()).contains("UNAUTHENTICATED");

                driver.findElement(By.id("api-key")).sendKeys(READER);
                driver.findElement(By.cssSelector("#key-form button")).click();
                WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#jobs tr.job")));
                assertThat(row.findElement(By.cssSelector(".state")).getText()).isEqualTo("PUBLISHED");
                assertThat(row.findElement(By.cssSelector(".written")).getText()).isEqualTo("344");
                assertThat(row.findElement(By.cssSelector(".rejected")).getText()).isEqualTo("2");
                assertThat(row.getText()).contains("join/duplicate-key 1").contains("join/unmatched-key 1").contains("airflow-etl");
                screenshot(driver, "jobs");

                row.findElement(By.linkText("zoo.penguins_geo")).click();
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#snapshots tr.snapshot")));
                // the published snapshot (the audited one under it has no outcome of its own)
                WebElement published = driver.findElements(By.cssSelector("#snapshots tr.snapshot")).stream().filter(snapshot -> snapshot.getText().contains("PASSED"))
                        .findFirst().orElseThrow(() -> new AssertionError(driver.findElement(By.id("snapshots")).getText()));
                assertThat(published.getText()).contains("344");
                assertThat(driver.findElements(By.cssSelector("#plots svg.plot polyline"))).as("a plot per check metric").isNotEmpty();
                assertThat(driver.findElement(By.id("plots")).getText()).contains("read = written + rejected + merged · written");
                screenshot(driver, "table");

                published.findElement(By.tagName("a")).click();
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#checks tr.check")));
                assertThat(driver.findElement(By.id("checks")).getText()).contains("read = written + rejected + merged").contains("PASSED");
                assertThat(driver.findElement(By.id("lineage")).getText()).contains("islands.csv");
                screenshot(driver, "snapshot");

                driver.get(kiln.url() + "/#/table/zoo.penguins_geo/rejects");
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#rejects tr.reject")));
                assertThat(driver.findElements(By.cssSelector("#rejects tr.reject"))).hasSize(2);
                driver.findElement(By.linkText("unmatched-key")).click();
                wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#rejects tr.reject"), 1));
                assertThat(driver.findElement(By.cssSelector("#rejects tr.reject")).getText()).contains("Atlantis").contains("record:4");
                screenshot(driver, "rejects");
            }
            finally {
                driver.quit();
            }
        }
        finally {
            marquez.stop(0);
        }
    }

    /** The job's START and COMPLETE reached the lineage server, with its key, its inputs (the joined file too) by sha256 and its snapshot. */
    private static void assertLineageSent(List<String> lineage, JsonNode job) throws Exception {
        String runId = job.path("id").asText().substring("job-".length());
        List<JsonNode> events = new java.util.ArrayList<>();
        java.time.Instant deadline = java.time.Instant.now().plusSeconds(30);
        while (events.stream().noneMatch(event -> event.path("eventType").asText().equals("COMPLETE")) && java.time.Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
            events.clear();
            for (String request : lineage) {
                assertThat(request).startsWith("Bearer " + LINEAGE_KEY + " {");
                JsonNode event = new com.fasterxml.jackson.databind.ObjectMapper().readTree(request.substring(request.indexOf('{')));
                if (event.path("run").path("runId").asText().equals(runId)) {
                    events.add(event);
                }
            }
        }
        assertThat(events).extracting(event -> event.path("eventType").asText()).containsExactly("START", "COMPLETE");
        JsonNode complete = events.get(1);
        io.kiln.api.OpenLineageSchemas.assertValid(complete);
        assertThat(complete.path("inputs")).extracting(input -> input.path("name").asText())
                .containsExactlyInAnyOrder(FIXTURES.resolve("tabular/penguins.csv").toString(), FIXTURES.resolve("tabular/islands.csv").toString());
        assertThat(complete.path("inputs")).allSatisfy(input -> assertThat(input.path("facets").path("version").path("datasetVersion").asText()).hasSize(64));
        assertThat(complete.path("outputs").get(0).path("facets").path("version").path("datasetVersion").asText()).isEqualTo(job.path("snapshotId").asText());
        assertThat(complete.path("run").path("facets").path("kiln_job").path("submittedBy").asText()).isEqualTo("airflow-etl");
    }
}
