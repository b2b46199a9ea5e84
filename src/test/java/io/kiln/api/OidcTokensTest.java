package io.kiln.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Kiln with {@code kiln.auth.mode=oidc}: bearer tokens that the identity provider signed (RS256, here
 * with a key made for the test, as a provider's JWKS would publish it), their roles from a claim. A
 * token of another key, of another issuer or expired is a 401; a role a token lacks is a 403; a
 * writer's role implies reading; the token's user is who submitted a job.
 */
@QuarkusTest
@TestProfile(OidcTokensTest.WithTokens.class)
class OidcTokensTest {
    private static final String ISSUER = "https://idp.example.org/realms/ml";
    // the same keys in every class loader that loads this class (the profile's and the test's): made from a fixed seed
    private static final KeyPair PROVIDER = keys("the identity provider");
    private static final KeyPair STRANGER = keys("somebody else");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FIXTURES = Path.of("src/test/resources/fixtures").toAbsolutePath().toString();

    public static class WithTokens implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "kiln.data-dir", Path.of("target").resolve("kiln-test-oidc-" + System.nanoTime()).toAbsolutePath().toString(),
                    "kiln.source-roots", FIXTURES,
                    "kiln.auth.mode", "oidc",
                    "mp.jwt.verify.publickey", Base64.getEncoder().encodeToString(PROVIDER.getPublic().getEncoded()),
                    "mp.jwt.verify.issuer", ISSUER,
                    "smallrye.jwt.path.groups", "kiln_roles");
        }
    }

    private static KeyPair keys(String seed) {
        try {
            java.security.SecureRandom random = java.security.SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(seed.getBytes(StandardCharsets.UTF_8));
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, random);
            return generator.generateKeyPair();
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JWT as an identity provider issues one: RS256 over the header and claims. */
    private static String token(PrivateKey key, String issuer, String user, List<String> roles, Instant expires) throws GeneralSecurityException, JsonProcessingException {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        String header = base64.encodeToString(JSON.writeValueAsBytes(Map.of("alg", "RS256", "typ", "JWT")));
        String claims = base64.encodeToString(JSON.writeValueAsBytes(Map.of("iss", issuer, "sub", "user-" + user, "preferred_username", user,
                "iat", Instant.now().getEpochSecond(), "exp", expires.getEpochSecond(), "kiln_roles", roles)));
        Signature signature = Signature.getInstance("SHA256withRSA");
        signature.initSign(key);
        signature.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
        return header + "." + claims + "." + base64.encodeToString(signature.sign());
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    @Test
    void aProvidersTokenCarriesItsUserAndRolesAndAnyOtherTokenIsRefused() throws Exception {
        Instant later = Instant.now().plusSeconds(600);
        String writer = token(PROVIDER.getPrivate(), ISSUER, "ci-bot", List.of("writer"), later);
        String admin = token(PROVIDER.getPrivate(), ISSUER, "ops", List.of("admin"), later);

        given().get("/v1/tables").then().statusCode(401).body("error.code", equalTo("UNAUTHENTICATED"));
        given().header("Authorization", bearer(writer)).get("/v1/tables").then().statusCode(200);
        given().header("Authorization", bearer(token(STRANGER.getPrivate(), ISSUER, "ci-bot", List.of("admin"), later))).get("/v1/tables").then().statusCode(401);
        given().header("Authorization", bearer(token(PROVIDER.getPrivate(), "https://elsewhere.example", "ci-bot", List.of("admin"), later))).get("/v1/tables")
                .then().statusCode(401);
        given().header("Authorization", bearer(token(PROVIDER.getPrivate(), ISSUER, "ci-bot", List.of("admin"), Instant.now().minusSeconds(3600)))).get("/v1/tables")
                .then().statusCode(401);
        given().header("Authorization", bearer(token(PROVIDER.getPrivate(), ISSUER, "guest", List.of(), later))).get("/v1/tables").then().statusCode(403)
                .body("error.code", equalTo("FORBIDDEN"));

        given().header("Authorization", bearer(writer)).contentType("application/json")
                .body(Map.of("table", "oidc.docs", "source", Map.of("uri", "file://" + FIXTURES + "/docs/clean.jsonl", "format", "jsonl")))
                .post("/v1/jobs").then().statusCode(202).body("submittedBy", equalTo("ci-bot"));
        given().header("Authorization", bearer(writer)).contentType("application/json").body(Map.of()).post("/v1/tables/oidc.docs/maintenance").then().statusCode(403);
        given().header("Authorization", bearer(admin)).contentType("application/json").body(Map.of()).post("/v1/tables/no.such/maintenance").then()
                .statusCode(org.hamcrest.Matchers.not(org.hamcrest.Matchers.oneOf(401, 403)));
    }
}
