package io.kiln.transform.text.pii;

import java.util.Optional;

/** A kind of personal or secret data that {@code pii-redact} finds: its parameter name, which is also its count key, and its placeholder. */
public enum PiiKind {
    EMAIL("email", "EMAIL"),
    PHONE("phone", "PHONE"),
    IP_ADDRESS("ip-address", "IP_ADDRESS"),
    CREDIT_CARD("credit-card", "CREDIT_CARD"),
    IBAN("iban", "IBAN"),
    US_SSN("us-ssn", "US_SSN"),
    SECRET("secret", "SECRET");

    private final String parameterName;
    private final String label;

    PiiKind(String parameterName, String label) {
        this.parameterName = parameterName;
        this.label = label;
    }

    /** The name in the {@code kinds} parameter and in the step's counts, e.g. {@code ip-address}. */
    public String parameterName() {
        return parameterName;
    }

    /** The upper-case label of the placeholder, e.g. {@code IP_ADDRESS} for {@code <IP_ADDRESS>}. */
    public String label() {
        return label;
    }

    public String placeholder() {
        return "<" + label + ">";
    }

    public static Optional<PiiKind> byParameterName(String name) {
        for (PiiKind kind : values()) {
            if (kind.parameterName.equals(name)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}
