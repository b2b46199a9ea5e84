package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ReproductionTest {
    private static final SourceSpec SOURCE = new SourceSpec("file:///data/*.jsonl", "jsonl", Map.of());

    private static String recipe(String... steps) {
        return Recipe.of(Map.of("format", "jsonl"), java.util.Arrays.stream(steps).map(step -> Map.<String, Object>of("step", step, "params", Map.of())).toList()).canonical();
    }

    @Test
    void aReproductionRunsTheStepVersionsTheJobRan() {
        JobSpec spec = new JobSpec("demo.docs", SOURCE, List.of(new StepSpec("normalize", Map.of()), new StepSpec("dedup-near", Map.of("threshold", 0.7))), null, null, null);

        JobSpec pinned = Reproduction.pinnedVersions(spec, recipe("normalize@1", "dedup-near@1"));

        assertThat(pinned.steps()).containsExactly(new StepSpec("normalize", 1, Map.of()), new StepSpec("dedup-near", 1, Map.of("threshold", 0.7)));
        assertThat(pinned.table()).isEqualTo(spec.table());
    }

    @Test
    void aRecipeThatDoesNotMatchTheStepsLeavesTheSpecAsItIs() {
        JobSpec spec = new JobSpec("demo.docs", SOURCE, List.of(new StepSpec("normalize", Map.of())), null, null, null);

        assertThat(Reproduction.pinnedVersions(spec, recipe("clean@1"))).isEqualTo(spec);
        assertThat(Reproduction.pinnedVersions(spec, recipe("normalize@1", "clean@1"))).isEqualTo(spec);
        assertThat(Reproduction.pinnedVersions(spec, null)).isEqualTo(spec);
        assertThat(Reproduction.pinnedVersions(spec, "not json")).isEqualTo(spec);
    }
}
