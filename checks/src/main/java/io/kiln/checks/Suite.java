package io.kiln.checks;

import java.util.List;
import java.util.stream.Stream;
import software.amazon.glue.dqdl.model.DQRule;

/**
 * A parsed, validated check suite: DQDL rules (evaluated on one snapshot), privacy rules (written among
 * the DQDL rules, evaluated by the engine on the same snapshot) and anomaly rules (evaluated against the
 * table's metric history).
 */
public record Suite(List<DQRule> rules, List<PrivacyRule> privacyRules, List<AnomalyRule> anomalies) {
    public Suite {
        rules = List.copyOf(rules);
        privacyRules = List.copyOf(privacyRules);
        anomalies = List.copyOf(anomalies);
    }

    /** A suite without privacy rules. */
    public Suite(List<DQRule> rules, List<AnomalyRule> anomalies) {
        this(rules, List.of(), anomalies);
    }

    /** Each DQDL rule in DQDL syntax, in suite order. */
    public List<String> ruleTexts() {
        return rules.stream().map(DQRule::toString).toList();
    }

    /** Each privacy rule in suite syntax, in suite order. */
    public List<String> privacyTexts() {
        return privacyRules.stream().map(PrivacyRule::toString).toList();
    }

    /** The DQDL rules, then the privacy rules: the order of their results in a verification. */
    public List<String> snapshotRuleTexts() {
        return Stream.concat(ruleTexts().stream(), privacyTexts().stream()).toList();
    }

    public List<String> anomalyTexts() {
        return anomalies.stream().map(AnomalyRule::toString).toList();
    }
}
