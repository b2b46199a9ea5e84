package io.kiln.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** Who checks {@code IsUnique}: Kiln alone, Kiln and the engine's check of the batch against the base, or the engine on the whole snapshot. */
class AuditorTest {
    private static final String SUITE = "Rules = [ RowCount > 0, IsComplete \"id\", IsUnique \"id\" ]\nAnomalies = [ RowCount maxIncrease 3.0 ]";
    private static final RowRules.Split SPLIT = RowRules.split(SUITE);
    private static final RowRules.Rule UNIQUE_ID = SPLIT.rowRules().stream().filter(rule -> rule.kind() == RowRules.Kind.UNIQUE).findFirst().orElseThrow();

    private final FakeEngine engine = new FakeEngine();

    @Test
    void aFirstBatchOfDistinctIdsIsUniqueWithoutTheEnginesHelp() {
        Auditor.Report report = new Auditor(Optional.of(engine)).audit(subject(null, true, Set.of()));

        assertThat(engine.requests).singleElement().satisfies(request -> {
            assertThat(request.suite()).isEqualTo("Rules = [\n    RowCount > 0\n]\n\nAnomalies = [ RowCount maxIncrease 3.0 ]\n");
            assertThat(request.distinctFromBase()).isEmpty();
        });
        assertThat(result(report, "IsUnique \"id\"")).satisfies(result -> {
            assertThat(result.passed()).isTrue();
            assertThat(result.source()).isEqualTo("text-default");
            assertThat(result.message()).isEqualTo("the batch's 500 values are distinct (hashed by Kiln while writing); the table had no rows before");
        });
        assertThat(report.passed()).isTrue();
        assertThat(report.uniqueColumns()).containsExactly("id");
    }

    @Test
    void onABaseProvedUniqueTheEngineOnlyChecksTheBatchAgainstTheBase() {
        engine.answer = request -> List.of(passed("RowCount > 0"), passed("RowCount maxIncrease 3.0"),
                new CheckResult("text-default", "DistinctFromBase \"id\"", CheckResult.Outcome.PASSED, "", Map.of("baseFilesRead", 0.0, "valuesInBase", 0.0)));

        Auditor.Report report = new Auditor(Optional.of(engine)).audit(subject(7L, true, Set.of("id")));

        assertThat(engine.requests).singleElement().satisfies(request -> {
            assertThat(request.suite()).doesNotContain("IsUnique");
            assertThat(request.distinctFromBase()).containsExactly("id");
        });
        assertThat(report.results()).extracting(CheckResult::rule).doesNotContain("DistinctFromBase \"id\"");
        assertThat(result(report, "IsUnique \"id\"")).satisfies(result -> {
            assertThat(result.passed()).isTrue();
            assertThat(result.message()).isEqualTo("the batch's 500 values are distinct (hashed by Kiln while writing) and none is in base snapshot 7,"
                    + " which an audit proved unique (the check engine read 0 of its files)");
            assertThat(result.metrics()).containsEntry("values", 500.0).containsEntry("valuesInBase", 0.0);
        });
        assertThat(report.uniqueColumns()).containsExactly("id");
    }

    @Test
    void aBaseWithACompleteIdIndexThatSharesNoHashNeedsNoEngineForUniqueness() {
        Auditor.Report report = new Auditor(Optional.of(engine)).audit(subject(SPLIT, 7L, true, Set.of("id"), Map.of("id", new Auditor.IndexOverlap(3, 2_000, 0))));

        assertThat(engine.requests).singleElement().satisfies(request -> {
            assertThat(request.suite()).doesNotContain("IsUnique");
            assertThat(request.distinctFromBase()).isEmpty();
        });
        assertThat(result(report, "IsUnique \"id\"")).satisfies(result -> {
            assertThat(result.passed()).isTrue();
            assertThat(result.message()).isEqualTo("the batch's 500 values are distinct (hashed by Kiln while writing) and none is among the 2000"
                    + " of base snapshot 7 (Kiln's id index, 3 segments)");
        });
        assertThat(report.uniqueColumns()).containsExactly("id");
    }

    @Test
    void aSharedHashInTheIdIndexLetsTheEngineDecideExactly() {
        engine.answer = request -> List.of(passed("RowCount > 0"), passed("RowCount maxIncrease 3.0"),
                new CheckResult("text-default", "DistinctFromBase \"id\"", CheckResult.Outcome.FAILED,
                        "1 of the batch's 500 values of id are already in base snapshot 7", Map.of("valuesInBase", 1.0)));

        Auditor.Report report = new Auditor(Optional.of(engine)).audit(subject(SPLIT, 7L, true, Set.of("id"), Map.of("id", new Auditor.IndexOverlap(3, 2_000, 1))));

        assertThat(engine.requests).singleElement().satisfies(request -> assertThat(request.distinctFromBase()).containsExactly("id"));
        assertThat(result(report, "IsUnique \"id\"").message()).isEqualTo("1 of the batch's 500 values of id are already in base snapshot 7");
        assertThat(report.passed()).isFalse();
    }

    @Test
    void anIdAlreadyInTheBaseFailsTheRuleWithTheEnginesReason() {
        engine.answer = request -> List.of(passed("RowCount > 0"), passed("RowCount maxIncrease 3.0"),
                new CheckResult("text-default", "DistinctFromBase \"id\"", CheckResult.Outcome.FAILED,
                        "2 of the batch's 500 values of id are already in base snapshot 7", Map.of("valuesInBase", 2.0)));

        Auditor.Report report = new Auditor(Optional.of(engine)).audit(subject(7L, true, Set.of("id")));

        assertThat(result(report, "IsUnique \"id\"")).satisfies(result -> {
            assertThat(result.passed()).isFalse();
            assertThat(result.message()).isEqualTo("2 of the batch's 500 values of id are already in base snapshot 7");
        });
        assertThat(report.passed()).isFalse();
        assertThat(report.uniqueColumns()).isEmpty();
    }

    @Test
    void theEngineChecksTheWholeSnapshotWhenTheBaseIsNotProvedUniqueOrTheBatchMayRepeatAValue() {
        engine.answer = request -> List.of(passed("RowCount > 0"), passed("IsUnique \"id\""), passed("RowCount maxIncrease 3.0"));

        Auditor.Report unprovedBase = new Auditor(Optional.of(engine)).audit(subject(7L, true, Set.of()));
        Auditor.Report repeatedHash = new Auditor(Optional.of(engine)).audit(subject(null, false, Set.of()));

        assertThat(engine.requests).hasSize(2).allSatisfy(request -> {
            assertThat(request.suite()).isEqualTo("Rules = [\n    RowCount > 0,\n    IsUnique \"id\"\n]\n\nAnomalies = [ RowCount maxIncrease 3.0 ]\n");
            assertThat(request.distinctFromBase()).isEmpty();
        });
        assertThat(List.of(unprovedBase, repeatedHash)).allSatisfy(report -> {
            assertThat(report.results()).filteredOn(result -> result.rule().equals("IsUnique \"id\"")).singleElement()
                    .satisfies(result -> assertThat(result.message()).isEmpty());
            assertThat(report.uniqueColumns()).containsExactly("id");
        });
    }

    @Test
    void withNothingElseForTheEngineItChecksTheUniquenessRuleWhole() {
        RowRules.Split split = RowRules.split("Rules = [ IsComplete \"id\", IsUnique \"id\" ]");
        assertThat(split.engineSuite()).isEmpty();
        engine.answer = request -> List.of(passed("IsUnique \"id\""));

        Auditor.Report first = new Auditor(Optional.empty()).audit(subject(split, null, true, Set.of()));
        Auditor.Report later = new Auditor(Optional.of(engine)).audit(subject(split, 7L, true, Set.of("id")));

        assertThat(first.passed()).as("a first batch needs no engine at all").isTrue();
        assertThat(engine.requests).singleElement().satisfies(request -> {
            assertThat(request.suite()).isEqualTo("Rules = [\n    IsUnique \"id\"\n]\n");
            assertThat(request.distinctFromBase()).isEmpty();
        });
        assertThat(later.uniqueColumns()).containsExactly("id");
    }

    private static Auditor.Subject subject(Long base, boolean distinct, Set<String> baseUnique) {
        return subject(SPLIT, base, distinct, baseUnique);
    }

    private static Auditor.Subject subject(RowRules.Split split, Long base, boolean distinct, Set<String> baseUnique) {
        return subject(split, base, distinct, baseUnique, Map.of());
    }

    private static Auditor.Subject subject(RowRules.Split split, Long base, boolean distinct, Set<String> baseUnique, Map<String, Auditor.IndexOverlap> index) {
        RowRules.Rule rule = split.rowRules().stream().filter(r -> r.kind() == RowRules.Kind.UNIQUE).findFirst().orElse(UNIQUE_ID);
        return new Auditor.Subject("job-1", "demo.docs", 9L, base, 500, 500, 0, 500, 0, 0, 0.0, Optional.of("text-default"), split.engineSuite(), List.of(),
                List.of(new RowRules.Uniqueness(rule, distinct, 500, distinct ? "" : "two of the batch's values of id hash alike")), baseUnique,
                index, "kiln", Map.of());
    }

    private static CheckResult passed(String rule) {
        return new CheckResult("text-default", rule, CheckResult.Outcome.PASSED, "", Map.of());
    }

    private static CheckResult result(Auditor.Report report, String rule) {
        return report.results().stream().filter(result -> result.rule().equals(rule)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + rule + " in " + report.results()));
    }

    private static final class FakeEngine implements CheckEngine {
        final List<Verification> requests = new ArrayList<>();
        Function<Verification, List<CheckResult>> answer = request -> List.of(passed("RowCount > 0"), passed("RowCount maxIncrease 3.0"));

        @Override
        public Validation validate(String suite) {
            return new Validation(true, null, List.of());
        }

        @Override
        public List<CheckResult> verify(Verification request) {
            requests.add(request);
            return answer.apply(request);
        }

        @Override
        public JsonNode metrics(String table) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Status status() {
            return new Status("UP", null, null, 0, null);
        }
    }
}
