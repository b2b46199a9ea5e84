package io.kiln.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class LabelRulesTest {
    private static final Map<String, String> MEASURED = Map.of("kiln.label.functions", "a@1,b@1", "kiln.label.coverage", "0.75",
            "kiln.label.accuracy", "0.9", "kiln.label.gold-pin", "gold-v1", "kiln.label.gold", "labels.gold@42 column label");

    private static CheckResult evaluate(String rule, Map<String, String> summary) {
        return LabelRules.evaluate(List.of(LabelRules.parse(rule).orElseThrow()), summary, "labels").get(0);
    }

    @Test
    void rulesPassOrFailOnWhatTheLabelStepMeasured() {
        assertThat(evaluate("LabelCoverage >= 0.6", MEASURED).passed()).isTrue();
        assertThat(evaluate("LabelAccuracy \"gold-v1\" >= 0.85", MEASURED).passed()).isTrue();
        CheckResult low = evaluate("LabelCoverage >= 0.8", MEASURED);
        assertThat(low.passed()).isFalse();
        assertThat(low.message()).isEqualTo("coverage is 0.7500, not >= 0.8");
        assertThat(low.metrics()).containsEntry("coverage", 0.75);
    }

    @Test
    void aMeasureTheJobDidNotMakeOrAnotherGoldPinFails() {
        assertThat(evaluate("LabelMacroF1 >= 0.5", MEASURED).message()).isEqualTo("the label step measured no macro-f1: it needs gold labels");
        assertThat(evaluate("LabelCoverage >= 0.5", Map.of()).message()).isEqualTo("no label step ran in this job");
        assertThat(evaluate("LabelAccuracy \"gold-v2\" >= 0.5", MEASURED).message())
                .isEqualTo("the labels were measured against labels.gold@42 column label, not the pin gold-v2");
    }

    @Test
    void theEngineSeesTheSuiteWithoutTheLabelRules() {
        assertThat(LabelRules.without("Rules = [ RowCount > 0, LabelCoverage >= 0.3, IsComplete \"id\" ]")).isEqualTo("Rules = [ RowCount > 0, IsComplete \"id\" ]");
        assertThat(LabelRules.without("Rules = [ RowCount > 0, LabelCoverage >= 0.3 ]")).isEqualTo("Rules = [ RowCount > 0 ]");
        assertThat(LabelRules.without("Rules = [ LabelCoverage >= 0.3, LabelAccuracy \"g\" >= 0.6 ]").replaceAll("\\s+", " ")).isEqualTo("Rules = [ ]");
        RowRules.Split split = RowRules.split("Rules = [ LabelCoverage >= 0.3, IsComplete \"text\" ]");
        assertThat(split.engineSuite()).isEmpty();
        assertThat(split.labelRules()).extracting(LabelRules.Rule::text).containsExactly("LabelCoverage >= 0.3");
        assertThat(split.rowRules()).extracting(RowRules.Rule::text).containsExactly("IsComplete \"text\"");
    }
}
