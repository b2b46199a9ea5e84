package io.kiln.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(TempDataDirectory.class)
class ReadinessTest {
    @Test
    void readinessProbesTheCatalogTheWarehouseAndTheEngine() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'kiln' }.data.catalog", equalTo("UP"))
                .body("checks.find { it.name == 'kiln' }.data.warehouse", equalTo("UP"))
                .body("checks.find { it.name == 'kiln' }.data.checkEngine", equalTo("OFF"));
        given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void aPartThatFailsMakesItDownAndSaysWhichWithoutTheException() {
        HealthCheckResponse catalogDown = Readiness.check(() -> {
            throw new IllegalStateException("org.sqlite.SQLiteException: [SQLITE_BUSY] password=hunter2");
        }, () -> {}, () -> "UP");
        assertThat(catalogDown.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(catalogDown.getData().orElseThrow()).containsEntry("catalog", "DOWN: the catalog database did not answer")
                .containsEntry("warehouse", "UP");
        assertThat(catalogDown.getData().orElseThrow().toString()).doesNotContain("SQLite").doesNotContain("hunter2");

        HealthCheckResponse warehouseDown = Readiness.check(() -> {}, () -> {
            throw new java.io.UncheckedIOException(new java.io.IOException("read-only file system"));
        }, () -> "UP");
        assertThat(warehouseDown.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(warehouseDown.getData().orElseThrow()).containsEntry("warehouse", "DOWN: the warehouse did not take a write and a delete");

        for (String engine : new String[] {"STARTING", "UNAVAILABLE"}) {
            assertThat(Readiness.check(() -> {}, () -> {}, () -> engine).getStatus()).as(engine).isEqualTo(HealthCheckResponse.Status.DOWN);
        }
        for (String engine : new String[] {"UP", "EXTERNAL", "OFF"}) {
            assertThat(Readiness.check(() -> {}, () -> {}, () -> engine).getStatus()).as(engine).isEqualTo(HealthCheckResponse.Status.UP);
        }
    }
}
