package io.kiln.transform;

import java.util.Map;
import java.util.Optional;

/**
 * What a step may need from the service when it is bound, besides its parameters: secret keys, which
 * come from configuration and never from the JobSpec, and the summaries of the job's table's
 * published snapshots, for a step that reuses what an earlier snapshot chose. Neither goes into the
 * recipe: a step puts what identifies them (a key's id and check value, the values it reused) in its
 * {@link Transform#fingerprint()}.
 */
public interface StepContext {
    /** The secret key configured under {@code keyId}, or empty when there is none; never to be logged or returned. */
    Optional<byte[]> secretKey(String keyId);

    /**
     * The summary of the job table's published snapshot that {@code reference} names: a pin's name, or
     * a snapshot id in decimal. Empty when the table has no such pin or published snapshot.
     */
    Optional<Map<String, String>> publishedSummary(String reference);

    /** A context with no keys and no table, for steps bound outside a service (tests, tools). */
    static StepContext none() {
        return new StepContext() {
            @Override
            public Optional<byte[]> secretKey(String keyId) {
                return Optional.empty();
            }

            @Override
            public Optional<Map<String, String>> publishedSummary(String reference) {
                return Optional.empty();
            }
        };
    }
}
