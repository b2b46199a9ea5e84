package io.kiln.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class RowRulesTest {
    @Test
    void theDefaultSuiteLeavesTheEngineOnlyTheRulesThatNeedTheTable() throws IOException {
        RowRules.Split split = RowRules.split(Files.readString(Path.of("checks/suites/text-default.dqdl")));

        assertThat(split.rowRules()).extracting(RowRules.Rule::text).containsExactly(
                "IsComplete \"id\"", "IsUnique \"id\"", "IsComplete \"text\"", "ColumnLength \"text\" >= 1", "ColumnLength \"text\" <= 1000000",
                "ColumnValues \"text\" != WHITESPACES_ONLY", "IsComplete \"_kiln_source_uri\"", "IsComplete \"_kiln_source_pos\"", "IsComplete \"_kiln_job_id\"");
        assertThat(split.engineSuite()).hasValue("Rules = [\n    RowCount > 0\n]\n\nAnomalies = [\n    RowCount maxIncrease 3.0\n]\n");
    }

    @Test
    void privacyRulesStayWithTheEngineWholeWhichChecksThemOverTheStagedTable() {
        RowRules.Split split = RowRules.split("Rules = [\n  IsComplete \"zip\",\n  KAnonymity [\"age\", \"zip\"] >= 5,\n"
                + "  LDiversity \"diagnosis\" [\"age\", \"zip\"] >= 2\n]\n");
        assertThat(split.rowRules()).extracting(RowRules.Rule::text).containsExactly("IsComplete \"zip\"");
        assertThat(split.engineSuite()).hasValue("Rules = [\n    KAnonymity [\"age\", \"zip\"] >= 5,\n    LDiversity \"diagnosis\" [\"age\", \"zip\"] >= 2\n]\n");
    }

    @Test
    void rulesWithClausesOrOtherShapesStayWithTheEngine() {
        RowRules.Split split = RowRules.split("Rules = [ ColumnLength \"text\" >= 1 where \"id\" = 'x', ColumnValues \"lang\" in [\"en\", \"de\"],"
                + " ColumnLength \"title\" between 2 and 10 ]");

        assertThat(split.rowRules()).extracting(RowRules.Rule::text).containsExactly("ColumnLength \"title\" between 2 and 10");
        assertThat(split.rowRules().get(0)).extracting(RowRules.Rule::low, RowRules.Rule::high).containsExactly(3L, 9L);
        assertThat(split.engineSuite()).hasValue("Rules = [\n    ColumnLength \"text\" >= 1 where \"id\" = 'x',\n    ColumnValues \"lang\" in [\"en\", \"de\"]\n]\n");
    }

    @Test
    void lengthAndEmptinessRulesOnColumnsThatAreNotTextStayWithTheEngine() {
        RowRules.Split split = RowRules.split("Rules = [ IsComplete \"age\", ColumnLength \"age\" > 1, ColumnValues \"age\" != EMPTY,"
                + " ColumnLength \"name\" > 1, IsUnique \"age\" ]", Map.of("age", io.kiln.transform.DataType.INT, "name", io.kiln.transform.DataType.STRING));

        assertThat(split.rowRules()).extracting(RowRules.Rule::text).containsExactly("IsComplete \"age\"", "ColumnLength \"name\" > 1", "IsUnique \"age\"");
        assertThat(split.engineSuite()).hasValue("Rules = [\n    ColumnLength \"age\" > 1,\n    ColumnValues \"age\" != EMPTY\n]\n");
    }

    @Test
    void aSuiteOfRowRulesOnlyNeedsNoEngineUnlessItHasOtherBlocks() {
        assertThat(RowRules.split("Rules = [ IsComplete \"text\" ]").engineSuite()).isEmpty();
        RowRules.Split withAnomalies = RowRules.split("Rules = [ IsComplete \"text\", ColumnLength \"text\" > 0 ]\nAnomalies = [ RowCount maxIncrease 2.0 ]");
        assertThat(withAnomalies.rowRules()).hasSize(1);
        assertThat(withAnomalies.engineSuite()).hasValue("Rules = [\n    ColumnLength \"text\" > 0\n]\n\nAnomalies = [ RowCount maxIncrease 2.0 ]\n");
    }

    @Test
    void aSuiteOfUniquenessAndOtherBlocksGivesTheEngineACheaperRuleThanTheUniquenessOne() {
        RowRules.Split split = RowRules.split("Rules = [ IsComplete \"id\", IsUnique \"id\" ]\nAnomalies = [ RowCount maxIncrease 2.0 ]");

        assertThat(split.rowRules()).extracting(RowRules.Rule::text).containsExactly("IsUnique \"id\"");
        assertThat(split.engineSuite()).hasValue("Rules = [\n    IsComplete \"id\"\n]\n\nAnomalies = [ RowCount maxIncrease 2.0 ]\n");
    }

    @Test
    void rulesHandedBackGoIntoTheEnginesRulesBlock() {
        assertThat(RowRules.withRules(Optional.of("Rules = [\n    RowCount > 0\n]\n\nAnomalies = [ RowCount maxIncrease 2.0 ]\n"), List.of("IsUnique \"id\"")))
                .hasValue("Rules = [\n    RowCount > 0,\n    IsUnique \"id\"\n]\n\nAnomalies = [ RowCount maxIncrease 2.0 ]\n");
        assertThat(RowRules.withRules(Optional.empty(), List.of("IsUnique \"id\"", "IsUnique \"url\""))).hasValue("Rules = [\n    IsUnique \"id\",\n    IsUnique \"url\"\n]\n");
        assertThat(RowRules.withRules(Optional.of("Rules = [ ]"), List.of("IsUnique \"id\""))).hasValue("Rules = [\n    IsUnique \"id\"\n]");
        assertThat(RowRules.withRules(Optional.empty(), List.of())).isEmpty();
    }

    @Test
    void aOneColumnPrimaryKeyIsAUniquenessRuleAndSeveralColumnsStayWithTheEngine() {
        RowRules.Split split = RowRules.split("Rules = [ IsPrimaryKey \"id\", IsPrimaryKey \"a\" \"b\" ]");

        assertThat(split.rowRules()).extracting(RowRules.Rule::text, RowRules.Rule::kind).containsExactly(
                org.assertj.core.groups.Tuple.tuple("IsPrimaryKey \"id\"", RowRules.Kind.UNIQUE));
        assertThat(split.engineSuite()).hasValue("Rules = [\n    IsPrimaryKey \"a\" \"b\"\n]\n");
    }

    @Test
    void uniquenessIsDecidedOnTheHashesOfTheWholeBatchAcrossThreads() {
        List<RowRules.Rule> rules = RowRules.split("Rules = [ IsUnique \"id\", IsUnique \"url\" ]").rowRules();
        RowRules.Profile first = new RowRules.Profile(rules);
        RowRules.Profile second = new RowRules.Profile(rules);
        for (int i = 0; i < 1000; i++) {
            (i % 2 == 0 ? first : second).accept(Map.<String, Object>of("id", "doc-" + i, "url", "https://example.org/" + (i % 999))::get);
        }
        first.merge(second);

        List<RowRules.Uniqueness> uniqueness = first.uniqueness();

        assertThat(uniqueness).extracting(unique -> unique.rule().column(), RowRules.Uniqueness::distinct, RowRules.Uniqueness::values).containsExactly(
                org.assertj.core.groups.Tuple.tuple("id", true, 1000L), org.assertj.core.groups.Tuple.tuple("url", false, 1000L));
        assertThat(uniqueness.get(1).reason()).isEqualTo("two of the batch's values of url hash alike");
        assertThat(first.uniqueness()).as("settled once; asking again gives the same").isEqualTo(uniqueness);
        assertThat(first.results("suite")).as("IsUnique is not a row rule's result").isEmpty();
    }

    @Test
    void uniquenessIsLeftToTheEngineForANullOrMoreValuesThanKilnHashes() {
        List<RowRules.Rule> rules = RowRules.split("Rules = [ IsUnique \"id\", IsUnique \"lang\", IsUnique \"score\", IsUnique \"tokens\" ]").rowRules();
        RowRules.Profile profile = new RowRules.Profile(rules, 100);
        for (int i = 0; i < 101; i++) {
            profile.accept(Map.<String, Object>of("id", "doc-" + i, "score", i == 0 ? -0.0 : (double) i, "tokens", i)::get);
        }

        assertThat(profile.uniqueness()).extracting(RowRules.Uniqueness::distinct, RowRules.Uniqueness::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple(false, "the batch has more than 100 values, more than Kiln hashes while writing"),
                org.assertj.core.groups.Tuple.tuple(false, "the batch has a null lang"),
                org.assertj.core.groups.Tuple.tuple(false, "Kiln hashes only text and whole numbers; score holds double"),
                org.assertj.core.groups.Tuple.tuple(false, "the batch has more than 100 values, more than Kiln hashes while writing"));
    }

    @Test
    void profilesCountViolationsPerRuleAndMergeAcrossThreads() {
        List<RowRules.Rule> rules = RowRules.split("Rules = [ ColumnLength \"text\" >= 2, ColumnLength \"text\" < 6, ColumnValues \"text\" != WHITESPACES_ONLY,"
                + " ColumnValues \"text\" != EMPTY, IsComplete \"language\" ]").rowRules();
        RowRules.Profile first = new RowRules.Profile(rules);
        RowRules.Profile second = new RowRules.Profile(rules);
        first.accept(Map.<String, Object>of("text", "héllo", "language", "fr")::get);
        first.accept(Map.<String, Object>of("text", "\u00a0 ")::get);
        second.accept(Map.<String, Object>of("text", "x", "language", "en")::get);
        second.accept(Map.<String, Object>of("text", "")::get);
        first.merge(second);

        List<CheckResult> results = first.results("my-suite");
        assertThat(results).extracting(CheckResult::rule, CheckResult::outcome).containsExactly(
                org.assertj.core.groups.Tuple.tuple("ColumnLength \"text\" >= 2", CheckResult.Outcome.FAILED),
                org.assertj.core.groups.Tuple.tuple("ColumnLength \"text\" < 6", CheckResult.Outcome.PASSED),
                org.assertj.core.groups.Tuple.tuple("ColumnValues \"text\" != WHITESPACES_ONLY", CheckResult.Outcome.FAILED),
                org.assertj.core.groups.Tuple.tuple("ColumnValues \"text\" != EMPTY", CheckResult.Outcome.FAILED),
                org.assertj.core.groups.Tuple.tuple("IsComplete \"language\"", CheckResult.Outcome.FAILED));
        assertThat(results.get(0).message()).isEqualTo("2 of the batch's 4 rows break the rule (lengths 0 to 5)");
        assertThat(results.get(0).metrics()).containsEntry("minimumLength", 0.0).containsEntry("maximumLength", 5.0);
        assertThat(results.get(4).metrics()).containsEntry("violations", 2.0);
        assertThat(RowRules.split("Checks = nothing").engineSuite()).isEqualTo(Optional.of("Checks = nothing"));
    }
}
