package io.kiln.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

class PrivacyRuleParserTest {
    private static final PrivacyRule K_FIVE = new PrivacyRule(PrivacyRule.Kind.K_ANONYMITY, Optional.empty(),
            List.of("age", "zip", "sex"), PrivacyRule.Operator.AT_LEAST, 5);

    @Test
    void takesPrivacyRulesOutOfTheRulesListAndLeavesTheDqdlRules() {
        Suite suite = SuiteParser.parse("""
                Rules = [
                    RowCount > 0,
                    KAnonymity ["age", "zip", "sex"] >= 5,   # a comment after a privacy rule
                    IsUnique "id",
                    LDiversity "diagnosis" ["age", "zip"] > 1,
                    EntropyLDiversity "diagnosis" [ "age" ] = 2.5
                ]
                Anomalies = [ RowCount maxIncrease 3.0 ]""");

        assertThat(suite.ruleTexts()).containsExactly("RowCount > 0", "IsUnique \"id\"");
        assertThat(suite.privacyRules()).containsExactly(K_FIVE,
                new PrivacyRule(PrivacyRule.Kind.DISTINCT_L_DIVERSITY, Optional.of("diagnosis"), List.of("age", "zip"),
                        PrivacyRule.Operator.ABOVE, 1),
                new PrivacyRule(PrivacyRule.Kind.ENTROPY_L_DIVERSITY, Optional.of("diagnosis"), List.of("age"),
                        PrivacyRule.Operator.EQUAL, 2.5));
        assertThat(suite.privacyTexts()).containsExactly("KAnonymity [\"age\", \"zip\", \"sex\"] >= 5",
                "LDiversity \"diagnosis\" [\"age\", \"zip\"] > 1", "EntropyLDiversity \"diagnosis\" [\"age\"] = 2.5");
        assertThat(suite.snapshotRuleTexts()).containsExactly("RowCount > 0", "IsUnique \"id\"",
                "KAnonymity [\"age\", \"zip\", \"sex\"] >= 5", "LDiversity \"diagnosis\" [\"age\", \"zip\"] > 1",
                "EntropyLDiversity \"diagnosis\" [\"age\"] = 2.5");
        assertThat(suite.anomalyTexts()).containsExactly("RowCount maxIncrease 3.0");
    }

    @Test
    void keepsTheDqdlRulesWellFormedWhereverThePrivacyRulesStand() {
        for (String rules : List.of(
                "KAnonymity [\"a\"] >= 2, RowCount > 0, IsUnique \"id\"",
                "RowCount > 0, KAnonymity [\"a\"] >= 2, IsUnique \"id\"",
                "RowCount > 0, IsUnique \"id\", KAnonymity [\"a\"] >= 2",
                "KAnonymity [\"a\"] >= 2, RowCount > 0, KAnonymity [\"b\"] >= 2, KAnonymity [\"c\"] >= 2, IsUnique \"id\", KAnonymity [\"d\"] >= 2")) {
            Suite suite = SuiteParser.parse("Rules = [ " + rules + " ]");
            assertThat(suite.ruleTexts()).as(rules).containsExactly("RowCount > 0", "IsUnique \"id\"");
            assertThat(suite.privacyRules()).as(rules).isNotEmpty();
        }
    }

    @Test
    void keepsDqdlLineNumbersInErrorsOfASuiteWithPrivacyRules() {
        assertInvalid("""
                Rules = [
                    KAnonymity ["age", "zip"] >= 5,
                    LDiversity "diagnosis"
                        ["age", "zip"] >= 2,
                    RowCount > 0,
                    Frobnicate "id"
                ]""").hasMessage("Invalid DQDL: line 6: Parsing Error: Rule Type: Frobnicate is not valid");
        assertInvalid("""
                Rules = [
                    KAnonymity ["age", "zip"] >= 5,
                    RowCount > 0,
                    RowCount >> 0
                ]""").hasMessageStartingWith("Invalid DQDL: ").hasMessageContaining("line 4:14");
        assertInvalid("""
                Anomalies = [ RowCount maxIncrease 3.0 ]
                Rules = [
                    RowCount > 0,
                    KAnonymity ["age", "zip"] >= 5,
                    DetectAnomalies "RowCount"
                ]""").hasMessageStartingWith("line 5: Rule 'DetectAnomalies \"RowCount\"'");
    }

    @Test
    void acceptsASuiteOfOnlyPrivacyRules() {
        Suite suite = SuiteParser.parse("""
                # privacy only
                Rules = [
                    KAnonymity ["age", "zip", "sex"] >= 5,
                    LDiversity "diagnosis" ["age", "zip"] >= 2
                ]""");
        assertThat(suite.rules()).isEmpty();
        assertThat(suite.privacyTexts()).hasSize(2);
        assertThat(suite.anomalies()).isEmpty();

        Suite withAnomalies = SuiteParser.parse("Rules = [ KAnonymity [\"age\"] >= 2 ]\nAnomalies = [ RowCount maxIncrease 3.0 ]");
        assertThat(withAnomalies.rules()).isEmpty();
        assertThat(withAnomalies.privacyTexts()).containsExactly("KAnonymity [\"age\"] >= 2");
        assertThat(withAnomalies.anomalyTexts()).containsExactly("RowCount maxIncrease 3.0");
    }

    @Test
    void leavesOtherSuitesAsTheyWere() {
        assertThat(SuiteParser.parse("Anomalies = [ RowCount maxIncrease 3.0 ]").privacyRules()).isEmpty();
        assertThat(SuiteParser.parse("Rules = [ ColumnValues \"KAnonymity\" in [\"a\", \"b\"] ]").privacyRules()).isEmpty();
        // a privacy rule type inside a composite is not taken out: DQDL does not know it
        assertInvalid("Rules = [ (KAnonymity [\"a\"] >= 2) and (RowCount > 0) ]").hasMessageStartingWith("Invalid DQDL:");
    }

    @Test
    void readsEscapedColumnNames() {
        Suite suite = SuiteParser.parse("Rules = [ LDiversity \"a \\\"b\\\"\" [\"c\\\\d\", \"zip code\"] >= 3 ]");

        assertThat(suite.privacyRules()).singleElement().satisfies(rule -> {
            assertThat(rule.sensitiveColumn()).contains("a \"b\"");
            assertThat(rule.quasiIdentifiers()).containsExactly("c\\d", "zip code");
        });
    }

    @Test
    void toStringParsesBackToAnEqualRule() {
        List<PrivacyRule> rules = List.of(K_FIVE,
                new PrivacyRule(PrivacyRule.Kind.K_ANONYMITY, Optional.empty(), List.of("a \"quoted\" \\ name"), PrivacyRule.Operator.ABOVE, 1),
                new PrivacyRule(PrivacyRule.Kind.DISTINCT_L_DIVERSITY, Optional.of("diagnosis"), List.of("age"), PrivacyRule.Operator.EQUAL, 3),
                new PrivacyRule(PrivacyRule.Kind.ENTROPY_L_DIVERSITY, Optional.of("diagnosis"), List.of("age", "zip"), PrivacyRule.Operator.AT_LEAST, 1.25),
                new PrivacyRule(PrivacyRule.Kind.ENTROPY_L_DIVERSITY, Optional.of("diagnosis"), List.of("age"), PrivacyRule.Operator.AT_LEAST, 2));
        for (PrivacyRule rule : rules) {
            assertThat(SuiteParser.parse("Rules = [ " + rule + " ]").privacyRules()).as(rule.toString()).containsExactly(rule);
        }
        assertThat(rules.get(4)).hasToString("EntropyLDiversity \"diagnosis\" [\"age\"] >= 2");
    }

    @Test
    void reportsBadFormsWithTheirLineAndTheRightForm() {
        assertInvalid("Rules = [\n  RowCount > 0,\n  KAnonymity >= 5\n]").hasMessage(
                "line 3: KAnonymity needs a list of quasi-identifier columns, e.g. KAnonymity [\"age\", \"zip\"] >= 5");
        assertInvalid("Rules = [\n  KAnonymity [] >= 5\n]").hasMessage(
                "line 2: KAnonymity needs at least one quasi-identifier column, e.g. KAnonymity [\"age\", \"zip\"] >= 5");
        assertInvalid("Rules = [ KAnonymity [\"age\", \"age\"] >= 5 ]")
                .hasMessage("line 1: KAnonymity lists the quasi-identifier age twice");
        assertInvalid("Rules = [ KAnonymity [\"age\" \"zip\"] >= 5 ]").hasMessageStartingWith(
                "line 1: KAnonymity's list of quasi-identifier columns needs ',' between columns and ']' at its end, found \"zip\"");
        assertInvalid("Rules = [ KAnonymity [age] >= 5 ]").hasMessageStartingWith(
                "line 1: KAnonymity's quasi-identifiers are double-quoted column names, found age");
        assertInvalid("Rules = [ KAnonymity \"age\" [\"zip\"] >= 5 ]").hasMessage(
                "line 1: KAnonymity takes no sensitive column; list the quasi-identifier columns in [ ], e.g. KAnonymity [\"age\", \"zip\"] >= 5");
        assertInvalid("Rules = [ KAnonymity [\"age\"] ]").hasMessage(
                "line 1: KAnonymity needs >=, > or = and a threshold after the quasi-identifiers, found the end of the rule, "
                        + "e.g. KAnonymity [\"age\", \"zip\"] >= 5");
        assertInvalid("Rules = [ KAnonymity [\"age\"] <= 5 ]").hasMessage(
                "line 1: KAnonymity compares with >=, > or =, not <=, e.g. KAnonymity [\"age\", \"zip\"] >= 5");
        assertInvalid("Rules = [ KAnonymity [\"age\"] >= ]").hasMessageStartingWith(
                "line 1: KAnonymity needs a number after >=, found the end of the rule");
        assertInvalid("Rules = [ KAnonymity [\"age\"] >= 2.5 ]").hasMessage(
                "line 1: KAnonymity needs a positive whole number, was 2.5, e.g. KAnonymity [\"age\", \"zip\"] >= 5");
        assertInvalid("Rules = [ KAnonymity [\"age\"] >= 0 ]").hasMessageStartingWith(
                "line 1: KAnonymity needs a positive whole number, was 0");
        assertInvalid("Rules = [ KAnonymity [\"age\"] >= -3 ]").hasMessageStartingWith(
                "line 1: KAnonymity needs a positive whole number, was -3");
        assertInvalid("Rules = [ KAnonymity [\"age\"] >= 5 where \"age > 3\" ]").hasMessageStartingWith(
                "line 1: unexpected where after KAnonymity's threshold");
        assertInvalid("Rules = [\n\n  LDiversity [\"age\"] >= 2 ]").hasMessage(
                "line 3: LDiversity needs a sensitive column before the quasi-identifiers, e.g. LDiversity \"diagnosis\" [\"age\", \"zip\"] >= 2");
        assertInvalid("Rules = [ LDiversity \"diagnosis\" [\"age\"] >= 1.5 ]").hasMessageStartingWith(
                "line 1: LDiversity needs a positive whole number, was 1.5");
        assertInvalid("Rules = [ LDiversity \"age\" [\"age\", \"zip\"] >= 2 ]").hasMessage(
                "line 1: LDiversity: the sensitive column age is also a quasi-identifier, e.g. LDiversity \"diagnosis\" [\"age\", \"zip\"] >= 2");
        assertInvalid("Rules = [ EntropyLDiversity \"diagnosis\" [\"age\"] >= 0.5 ]").hasMessage(
                "line 1: EntropyLDiversity needs a threshold of at least 1, was 0.5, "
                        + "e.g. EntropyLDiversity \"diagnosis\" [\"age\", \"zip\"] >= 2");
        assertInvalid("Rules = [ RowCount > 0,\n  KAnonymity [\"age\"] >= 2, ]")
                .hasMessage("line 2: empty rule in Rules = [ ... ] (a ',' too many?)");
    }

    private static AbstractThrowableAssert<?, ?> assertInvalid(String suite) {
        return assertThatThrownBy(() -> SuiteParser.parse(suite))
                .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_RULES));
    }
}
