package io.kiln.transform.audio;

import static java.util.Objects.requireNonNull;

/**
 * Why a sound cannot become a row: a reason code for the rejects table ({@code unsupported-audio},
 * {@code corrupt-audio}, {@code truncated-audio}, {@code too-long}, ...) and a detail in plain words.
 */
public final class AudioRejection extends Exception {
    private final String reason;

    public AudioRejection(String reason, String detail) {
        super(requireNonNull(detail, "detail is null"), null, false, false);
        this.reason = requireNonNull(reason, "reason is null");
    }

    public String reason() {
        return reason;
    }
}
