package io.kiln.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
@QuarkusTestResource(TempDataDirectory.class)
class RequestIdTest {
    @Test
    void everyAnswerCarriesItsRequestIdAndEveryErrorBodyToo() {
        Response missing = given().get("/v1/jobs/no-such-job");
        missing.then().statusCode(404);
        String id = missing.header("X-Request-Id");
        assertThat(id).matches("[0-9a-f-]{36}");
        assertThat(missing.jsonPath().getString("error.requestId")).isEqualTo(id);
        assertThat(missing.jsonPath().getString("error.code")).isEqualTo("JOB_NOT_FOUND");

        Response given = given().header("X-Request-Id", "trainer-7:step-42").get("/v1/jobs/no-such-job");
        assertThat(given.header("X-Request-Id")).isEqualTo("trainer-7:step-42");
        assertThat(given.jsonPath().getString("error.requestId")).isEqualTo("trainer-7:step-42");

        Response unsafe = given().header("X-Request-Id", "two words\tand a tab").get("/v1/jobs?limit=abc");
        unsafe.then().statusCode(400);
        assertThat(unsafe.header("X-Request-Id")).as("an id that is not a plain token is replaced").matches("[0-9a-f-]{36}");
        assertThat(unsafe.jsonPath().getString("error.requestId")).isEqualTo(unsafe.header("X-Request-Id"));

        Response ok = given().get("/v1/tables");
        ok.then().statusCode(200);
        assertThat(ok.header("X-Request-Id")).matches("[0-9a-f-]{36}").isNotEqualTo(id);
    }
}
