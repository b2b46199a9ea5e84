package io.kiln.transform.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepRegistry;
import io.kiln.transform.Transform;

class PiiRedactStepTest {
    private static final String KEY = "kiln-test-key-0123456789";
    private final PiiRedactStep step = new PiiRedactStep(2, Map.of("KILN_PII_KEY", KEY, "SHORT_KEY", "too-short")::get);

    @Test
    void isRegisteredAsPiiRedactVersion2WithVersion1Kept() {
        assertThat(StepRegistry.defaultRegistry().find("pii-redact")).hasValueSatisfying(definition -> assertThat(definition.id().toString()).isEqualTo("pii-redact@2"));
        assertThat(StepRegistry.defaultRegistry().versions("pii-redact")).containsExactly(1, 2);
    }

    @Test
    void version2RedactsTheExtensionWithTheNumberAndVersion1LeavesIt() {
        String signature = "Jane Doe | Sales\nAcme Corp\nT: (949) 555-0150 ext. 213 | M: 415-555-0133 x101\nor call:888-555-0139";
        Outcome.Emit two = (Outcome.Emit) step.bind(Map.of()).apply(Row.text("r0", signature));
        assertThat(two.row().string(Row.TEXT).orElseThrow()).isEqualTo("Jane Doe | Sales\nAcme Corp\nT: <PHONE> | M: <PHONE>\nor call:<PHONE>");
        assertThat(two.counts()).containsExactly(Map.entry("phone", 3L));
        Outcome.Emit one = (Outcome.Emit) new PiiRedactStep(1).bind(Map.of()).apply(Row.text("r0", signature));
        assertThat(one.row().string(Row.TEXT).orElseThrow()).contains("ext. 213");
    }

    @Test
    void replacesEveryKindWithItsPlaceholderAndCountsByKind() {
        Outcome.Emit emit = (Outcome.Emit) step.bind(Map.of()).apply(Row.text("r1",
                "Mail anna.novak@example.com or bo@example.org, call +44 20 7946 0958 from 45.33.32.156; card 4111 1111 1111 1111, "
                        + "IBAN DE89370400440532013000, SSN 536-22-8726, key AKIAIOSFODNN7EXAMPLE."));
        assertThat(emit.row().string(Row.TEXT).orElseThrow()).isEqualTo("Mail <EMAIL> or <EMAIL>, call <PHONE> from <IP_ADDRESS>; card <CREDIT_CARD>, "
                + "IBAN <IBAN>, SSN <US_SSN>, key <SECRET>.");
        assertThat(emit.counts()).containsExactlyInAnyOrderEntriesOf(Map.of("email", 2L, "phone", 1L, "ip-address", 1L,
                "credit-card", 1L, "iban", 1L, "us-ssn", 1L, "secret", 1L));
    }

    @Test
    void passesTextWithoutPiiThroughUnchangedAndUncounted() {
        Row row = Row.text("r2", "Release 2.6.32.1 on 2023-10-05 at 12:30:45, commit 9f86d081884c7d65, uuid 123e4567-e89b-12d3-a456-426614174000, 1,234,567.");
        Outcome.Emit emit = (Outcome.Emit) step.bind(Map.of()).apply(row);
        assertThat(emit.row()).isSameAs(row);
        assertThat(emit.counts()).isEmpty();
    }

    @Test
    void redactsOnlyTheChosenKinds() {
        Outcome.Emit emit = (Outcome.Emit) step.bind(Map.of("kinds", List.of("email"))).apply(Row.text("r3", "bo@example.org at 45.33.32.156"));
        assertThat(emit.row().string(Row.TEXT).orElseThrow()).isEqualTo("<EMAIL> at 45.33.32.156");
    }

    @Test
    void givesConsistentKeyedPseudonyms() {
        Transform pseudonyms = step.bind(Map.of("mode", "pseudonym", "keyEnv", "KILN_PII_KEY"));
        Outcome.Emit emit = (Outcome.Emit) pseudonyms.apply(Row.text("r4", "anna.novak@example.com wrote to Anna.Novak@EXAMPLE.com and +1 415-555-0132, (415) 555-0132"));
        // HMAC-SHA256(key, "email:anna.novak@example.com") and (key, "phone:+14155550132"), computed with Python's hmac module
        assertThat(emit.row().string(Row.TEXT).orElseThrow()).isEqualTo("<EMAIL_fc379e68> wrote to <EMAIL_fc379e68> and <PHONE_dc3fad1d>, <PHONE_dc3fad1d>");
        assertThat(emit.counts()).containsEntry("email", 2L).containsEntry("phone", 2L);
    }

    @Test
    void putsAKeyIdButNeverTheKeyIntoTheRecipe() {
        Transform pseudonyms = step.bind(Map.of("mode", "pseudonym", "keyEnv", "KILN_PII_KEY"));
        assertThat(pseudonyms.fingerprint()).containsExactly(Map.entry("pseudonym-key", "5145005e578364cc"));
        assertThat(pseudonyms.fingerprint().toString()).doesNotContain(KEY);
        assertThat(step.bind(Map.of()).fingerprint()).isEmpty();
    }

    @Test
    void refusesPseudonymsWithoutAKey() {
        assertThatThrownBy(() -> step.bind(Map.of("mode", "pseudonym")))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("keyEnv"))
                .hasMessageContaining("needs keyEnv");
        assertThatThrownBy(() -> step.bind(Map.of("mode", "pseudonym", "keyEnv", "KILN_UNSET")))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("keyEnv"))
                .hasMessage("environment variable KILN_UNSET is not set; it must hold the pseudonym key");
        assertThatThrownBy(() -> step.bind(Map.of("mode", "pseudonym", "keyEnv", "SHORT_KEY")))
                .hasMessageContaining("too short");
        assertThatThrownBy(() -> step.bind(Map.of("keyEnv", "KILN_PII_KEY")))
                .hasMessage("applies only to mode pseudonym; mode is placeholder");
    }

    @Test
    void refusesUnknownKindsModesRegionsAndParameters() {
        assertThatThrownBy(() -> step.bind(Map.of("kinds", List.of("email", "passport"))))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("kinds"))
                .hasMessageContaining("unknown kind passport; known kinds are email, phone, ip-address, credit-card, iban, us-ssn, secret");
        assertThatThrownBy(() -> step.bind(Map.of("kinds", List.of()))).hasMessageContaining("non-empty list");
        assertThatThrownBy(() -> step.bind(Map.of("mode", "mask"))).hasMessageContaining("must be one of placeholder, pseudonym");
        assertThatThrownBy(() -> step.bind(Map.of("phoneRegion", "XX")))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("phoneRegion"));
        assertThatThrownBy(() -> step.bind(Map.of("key", KEY)))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("key"));
    }

    @Test
    void redactsPrivateAddressesOnlyWhenAsked() {
        Row row = Row.text("r5", "gateway 192.168.0.1");
        assertThat(((Outcome.Emit) step.bind(Map.of()).apply(row)).row().string(Row.TEXT).orElseThrow()).isEqualTo("gateway 192.168.0.1");
        assertThat(((Outcome.Emit) step.bind(Map.of("ipAddresses", "all")).apply(row)).row().string(Row.TEXT).orElseThrow()).isEqualTo("gateway <IP_ADDRESS>");
    }
}
