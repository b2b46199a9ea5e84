package io.kiln.checks;

import java.util.List;
import software.amazon.glue.dqdl.model.DQRule;

/**
 * A parsed, validated check suite: DQDL rules (evaluated on one snapshot) and anomaly rules (evaluated
 * against the table's metric history).
 */
public record Suite(List<DQRule> rules, List<AnomalyRule> anomalies) {
    public Suite {
        rules = List.copyOf(rules);
        anomalies = List.copyOf(anomalies);
    }

    /** Each DQDL rule in DQDL syntax, in suite order. */
    public List<String> ruleTexts() {
        return rules.stream().map(DQRule::toString).toList();
    }

    public List<String> anomalyTexts() {
        return anomalies.stream().map(AnomalyRule::toString).toList();
    }
}
