package io.kiln.checks;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/** Body of a 200 answer to {@code POST /verify}. PASSED only when every rule passed. */
public record VerificationReport(RuleResult.Outcome outcome, long snapshotId, long rows, List<RuleResult> rules,
                                 boolean metricsSaved, long durationMillis) {
    public VerificationReport {
        rules = List.copyOf(rules);
    }

    @JsonIgnore
    public boolean passed() {
        return outcome == RuleResult.Outcome.PASSED;
    }
}
