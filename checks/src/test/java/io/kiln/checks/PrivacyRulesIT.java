package io.kiln.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * Privacy rules evaluated with real Spark on twelve known rows. Grouped by [age, zip] they fall into five
 * equivalence classes (a null is a value of its own):
 * <pre>
 * class        rows  diagnoses              distinct  entropy
 * (30, 10001)   3    flu, flu, cold             2     ln 3 - 2 ln 2 / 3 (l = 1.89)
 * (30, 10002)   2    flu, null                  2     ln 2             (l = 2)
 * (40, 10001)   4    flu, cold, asthma, cold    3     ln 4 - 2 ln 2 / 4 (l = 2.83)
 * (null, 10001) 2    flu, flu                   1     0                (l = 1)
 * (40, null)    1    cold                       1     0                (l = 1)
 * </pre>
 * "complete" is the first three classes: the rows whose age and zip are both known.
 */
class PrivacyRulesIT {
    private static final String ROWS = """
            select * from values
              (30, '10001', 'f', 'flu'),
              (30, '10001', 'm', 'flu'),
              (30, '10001', 'f', 'cold'),
              (30, '10002', 'm', 'flu'),
              (30, '10002', 'f', cast(null as string)),
              (40, '10001', 'f', 'flu'),
              (40, '10001', 'm', 'cold'),
              (40, '10001', 'f', 'asthma'),
              (40, '10001', 'm', 'cold'),
              (cast(null as int), '10001', 'f', 'flu'),
              (cast(null as int), '10001', 'm', 'flu'),
              (40, cast(null as string), 'f', 'cold')
            as t(age, zip, sex, diagnosis)""";
    private static final String ALL = "true";
    private static final String COMPLETE = "age is not null and zip is not null";
    private static final String NONE = "false";

    private static final double ENTROPY_30_10001 = Math.log(3) - 2 * Math.log(2) / 3;
    private static final double ENTROPY_40_10001 = Math.log(4) - 2 * Math.log(2) / 4;

    @Test
    void kAnonymityFailsWithTheClassesBelowAndTheRowsInThem() {
        RuleResult below2 = evaluate(ALL, "KAnonymity [\"age\", \"zip\"] >= 2");
        assertThat(below2.outcome()).isEqualTo(RuleResult.Outcome.FAILED);
        assertThat(below2.rule()).isEqualTo("KAnonymity [\"age\", \"zip\"] >= 2");
        assertThat(below2.message()).isEqualTo("1 of the 5 classes of [age, zip] has fewer than 2 rows (the smallest has 1); 1 row is in it");
        assertThat(below2.metrics()).containsEntry("k", 1.0).containsEntry("classes", 5.0)
                .containsEntry("classesBelow", 1.0).containsEntry("rowsInClassesBelow", 1.0);

        // (30, 10002), (null, 10001) and (40, null): 2 + 2 + 1 rows
        RuleResult below3 = evaluate(ALL, "KAnonymity [\"age\", \"zip\"] >= 3");
        assertThat(below3.outcome()).isEqualTo(RuleResult.Outcome.FAILED);
        assertThat(below3.message()).isEqualTo("3 of the 5 classes of [age, zip] have fewer than 3 rows (the smallest has 1); 5 rows are in them");
        assertThat(below3.metrics()).containsEntry("k", 1.0).containsEntry("classes", 5.0)
                .containsEntry("classesBelow", 3.0).containsEntry("rowsInClassesBelow", 5.0);

        RuleResult above = evaluate(COMPLETE, "KAnonymity [\"age\", \"zip\"] > 2");
        assertThat(above.outcome()).isEqualTo(RuleResult.Outcome.FAILED);
        assertThat(above.message()).isEqualTo("1 of the 3 classes of [age, zip] has 2 rows or fewer (the smallest has 2); 2 rows are in it");
    }

    @Test
    void kAnonymityPassesWhenEveryClassIsLargeEnoughAndANullIsAClassOfItsOwn() {
        // the null ages form one class of 2 rows: (null, 10001)
        RuleResult result = evaluate("zip is not null", "KAnonymity [\"age\", \"zip\"] >= 2");
        assertThat(result.outcome()).isEqualTo(RuleResult.Outcome.PASSED);
        assertThat(result.message()).isEmpty();
        assertThat(result.metrics()).containsEntry("k", 2.0).containsEntry("classes", 4.0)
                .containsEntry("classesBelow", 0.0).containsEntry("rowsInClassesBelow", 0.0);

        // sex: f 7 rows, m 5 rows
        assertThat(evaluate(ALL, "KAnonymity [\"sex\"] = 5").outcome()).isEqualTo(RuleResult.Outcome.PASSED);
        RuleResult equal = evaluate(ALL, "KAnonymity [\"sex\"] = 4");
        assertThat(equal.outcome()).isEqualTo(RuleResult.Outcome.FAILED);
        assertThat(equal.message()).isEqualTo("the smallest of the 2 classes of [sex] has 5 rows, not 4");
    }

    @Test
    void distinctLDiversityCountsANullAsAValueOfItsOwn() {
        // (30, 10002) has flu and null: 2 values
        RuleResult passed = evaluate(COMPLETE, "LDiversity \"diagnosis\" [\"age\", \"zip\"] >= 2");
        assertThat(passed.outcome()).isEqualTo(RuleResult.Outcome.PASSED);
        assertThat(passed.metrics()).containsEntry("l", 2.0).containsEntry("classes", 3.0).containsEntry("classesBelow", 0.0);

        RuleResult failed = evaluate(ALL, "LDiversity \"diagnosis\" [\"age\", \"zip\"] >= 2");
        assertThat(failed.outcome()).isEqualTo(RuleResult.Outcome.FAILED);
        assertThat(failed.message()).isEqualTo(
                "2 of the 5 classes of [age, zip] have fewer than 2 distinct values of diagnosis (the least diverse has 1)");
        // (null, 10001) and (40, null)
        assertThat(failed.metrics()).containsEntry("l", 1.0).containsEntry("classes", 5.0)
                .containsEntry("classesBelow", 2.0).containsEntry("rowsInClassesBelow", 3.0);

        RuleResult three = evaluate(ALL, "LDiversity \"diagnosis\" [\"age\", \"zip\"] >= 3");
        assertThat(three.metrics()).containsEntry("classesBelow", 4.0).containsEntry("rowsInClassesBelow", 8.0);
    }

    @Test
    void entropyLDiversityComparesTheEntropyOfEachClassWithTheLogarithmOfTheThreshold() {
        // (30, 10001): flu, flu, cold is 2 distinct values but l = 3 / 2^(2/3) = 1.89 by entropy
        RuleResult failed = evaluate(COMPLETE, "EntropyLDiversity \"diagnosis\" [\"age\", \"zip\"] >= 2");
        assertThat(failed.outcome()).isEqualTo(RuleResult.Outcome.FAILED);
        assertThat(failed.message()).isEqualTo("1 of the 3 classes of [age, zip] has an entropy of diagnosis below ln 2 = 0.6931 "
                + "(the least diverse has entropy 0.6365, l = 1.89)");
        assertThat(failed.metrics()).containsEntry("classes", 3.0).containsEntry("classesBelow", 1.0)
                .containsEntry("rowsInClassesBelow", 3.0);
        assertThat(failed.metrics().get("entropy")).isCloseTo(ENTROPY_30_10001, within(1e-12));
        assertThat(failed.metrics().get("l")).isCloseTo(3 / Math.pow(2, 2.0 / 3), within(1e-12));

        RuleResult passed = evaluate(COMPLETE, "EntropyLDiversity \"diagnosis\" [\"age\", \"zip\"] >= 1.8");
        assertThat(passed.outcome()).isEqualTo(RuleResult.Outcome.PASSED);
        assertThat(passed.metrics().get("l")).isCloseTo(Math.exp(ENTROPY_30_10001), within(1e-12));

        // with the null classes: (null, 10001) and (40, null) have one value each, entropy 0
        RuleResult all = evaluate(ALL, "EntropyLDiversity \"diagnosis\" [\"age\", \"zip\"] >= 2");
        assertThat(all.metrics()).containsEntry("classes", 5.0).containsEntry("classesBelow", 3.0)
                .containsEntry("rowsInClassesBelow", 6.0);
        assertThat(all.metrics().get("l")).isCloseTo(1.0, within(1e-12));
        // (30, 10002): flu and null, entropy ln 2 exactly
        RuleResult two = evaluate("age = 30 and zip = '10002'", "EntropyLDiversity \"diagnosis\" [\"age\", \"zip\"] >= 2");
        assertThat(two.passed()).isTrue();
        assertThat(two.metrics().get("entropy")).isCloseTo(Math.log(2), within(1e-12));
        assertThat(ENTROPY_40_10001).isGreaterThan(Math.log(2.8));
        assertThat(evaluate("age = 40 and zip = '10001'", "EntropyLDiversity \"diagnosis\" [\"age\", \"zip\"] >= 2.8").passed()).isTrue();
    }

    @Test
    void entropyLDiversityToleratesFloatingPointError() {
        // three values twice each: ln 6 - (3 * 2 ln 2) / 6 is ln 3 but for rounding
        List<RuleResult> results = SharedSpark.runtime().withSession(spark -> {
            Dataset<Row> data = spark.sql("select * from values (1, 'a'), (1, 'a'), (1, 'b'), (1, 'b'), (1, 'c'), (1, 'c') as t(q, s)");
            return Verifier.evaluate(data, SuiteParser.parse("Rules = [ EntropyLDiversity \"s\" [\"q\"] >= 3, "
                    + "EntropyLDiversity \"s\" [\"q\"] = 3, EntropyLDiversity \"s\" [\"q\"] > 3 ]"), List.of(), 0L).rules();
        });
        assertThat(results).extracting(RuleResult::outcome).containsExactly(
                RuleResult.Outcome.PASSED, RuleResult.Outcome.PASSED, RuleResult.Outcome.FAILED);
        assertThat(results.get(0).metrics().get("l")).isCloseTo(3.0, within(1e-12));
        assertThat(results.get(2).message()).isEqualTo("1 of the 1 classes of [q] has an entropy of s at most ln 3 = 1.099 "
                + "(the least diverse has entropy 1.099, l = 3)");
    }

    @Test
    void anEmptyTablePassesEveryPrivacyRule() {
        List<RuleResult> results = evaluateAll(NONE, """
                Rules = [
                    KAnonymity ["age", "zip"] >= 5,
                    LDiversity "diagnosis" ["age", "zip"] >= 2,
                    EntropyLDiversity "diagnosis" ["age", "zip"] >= 2
                ]""");
        assertThat(results).hasSize(3).allSatisfy(result -> {
            assertThat(result.outcome()).isEqualTo(RuleResult.Outcome.PASSED);
            assertThat(result.metrics()).containsEntry("classes", 0.0).containsEntry("classesBelow", 0.0);
        });
    }

    @Test
    void aMissingColumnFailsTheRuleWithoutStoppingTheOthers() {
        List<RuleResult> results = evaluateAll(ALL, """
                Rules = [
                    KAnonymity ["age", "postcode"] >= 2,
                    LDiversity "disease" ["age"] >= 2,
                    KAnonymity ["AGE"] >= 2
                ]""");
        assertThat(results).extracting(RuleResult::outcome).containsExactly(
                RuleResult.Outcome.FAILED, RuleResult.Outcome.FAILED, RuleResult.Outcome.PASSED);
        assertThat(results).extracting(RuleResult::message).containsExactly(
                "The table has no column postcode", "The table has no column disease", "");
    }

    @Test
    void privacyResultsComeAfterTheDqdlResultsAndBeforeTheAnomalyResults() {
        List<RuleResult> results = evaluateAll(ALL, """
                Rules = [
                    KAnonymity ["sex"] >= 5,
                    RowCount = 12,
                    LDiversity "diagnosis" ["sex"] >= 2,
                    IsComplete "sex"
                ]
                Anomalies = [ RowCount maxIncrease 3.0 ]""");
        assertThat(results).extracting(RuleResult::rule).containsExactly("RowCount = 12", "IsComplete \"sex\"",
                "KAnonymity [\"sex\"] >= 5", "LDiversity \"diagnosis\" [\"sex\"] >= 2", "RowCount maxIncrease 3.0");
        assertThat(results).allSatisfy(result -> assertThat(result.passed()).as(result.rule() + ": " + result.message()).isTrue());
    }

    private static RuleResult evaluate(String where, String rule) {
        List<RuleResult> results = evaluateAll(where, "Rules = [ " + rule + " ]");
        assertThat(results).hasSize(1);
        return results.get(0);
    }

    /** The suite's results on the rows that {@code where} selects. */
    private static List<RuleResult> evaluateAll(String where, String suite) {
        Suite parsed = SuiteParser.parse(suite);
        return SharedSpark.runtime().withSession(spark -> {
            Dataset<Row> data = spark.sql(ROWS).where(where);
            return Verifier.evaluate(data, parsed, List.of(), 0L).rules();
        });
    }
}
