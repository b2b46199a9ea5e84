package io.kiln.transform;

import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

import io.kiln.embed.AudioEmbedStep;
import io.kiln.embed.EmbedStep;
import io.kiln.embed.ImageEmbedStep;
import io.kiln.transform.audio.AudioFeaturesStep;
import io.kiln.transform.audio.AudioNormalizeStep;
import io.kiln.transform.audio.AudioSegmentsStep;
import io.kiln.transform.dedup.DedupAudioStep;
import io.kiln.transform.dedup.DedupExactStep;
import io.kiln.transform.dedup.DedupImageStep;
import io.kiln.transform.dedup.DedupNearStep;
import io.kiln.transform.image.ImageNormalizeStep;
import io.kiln.transform.image.ImageStatsStep;
import io.kiln.transform.image.VisualWordsStep;
import io.kiln.transform.text.ChunkStep;
import io.kiln.transform.text.CleanStep;
import io.kiln.transform.text.LanguageStep;
import io.kiln.transform.text.NormalizeStep;
import io.kiln.transform.text.PiiRedactStep;
import io.kiln.transform.text.QualityFilterStep;
import io.kiln.transform.text.TokenizeStep;

/**
 * Every step a JobSpec can name, by name and version. A name maps to its current (highest) version;
 * older versions stay bound for the tables and reproductions that name them.
 */
public final class StepRegistry {
    private static final StepRegistry DEFAULT = new StepRegistry(List.of(new NormalizeStep(),
            new CleanStep(), new PiiRedactStep(1), new PiiRedactStep(2), new QualityFilterStep(), new LanguageStep(),
            new DedupExactStep(), new DedupNearStep(1), new DedupNearStep(2), new DedupAudioStep(),
            new ChunkStep(), new TokenizeStep(),
            new ImageNormalizeStep(), new DedupImageStep(), new ImageStatsStep(), new VisualWordsStep(),
            new AudioNormalizeStep(), new AudioFeaturesStep(), new AudioSegmentsStep(),
            new EmbedStep(), new ImageEmbedStep(), new AudioEmbedStep(),
            new io.kiln.transform.privacy.AnonymizeStep(), new io.kiln.transform.label.LabelStep(),
            new io.kiln.transform.split.SplitStep(), new io.kiln.transform.contamination.ContaminationStep(),
            new io.kiln.transform.tabular.FilterStep(), new io.kiln.transform.tabular.SelectStep(),
            new io.kiln.transform.tabular.ImputeStep(), new io.kiln.transform.tabular.ScaleStep(), new io.kiln.transform.tabular.LogStep(),
            new io.kiln.transform.tabular.EncodeStep(), io.kiln.transform.tabular.BucketizeStep.bucketize(), io.kiln.transform.tabular.BucketizeStep.clip()));

    private final Map<String, NavigableMap<Integer, StepDefinition>> definitions = new TreeMap<>();

    public StepRegistry(List<StepDefinition> definitions) {
        for (StepDefinition definition : definitions) {
            StepDefinition previous = this.definitions.computeIfAbsent(definition.name(), name -> new TreeMap<>()).putIfAbsent(definition.version(), definition);
            if (previous != null) {
                throw new IllegalArgumentException("duplicate step " + definition.id());
            }
        }
    }

    public static StepRegistry defaultRegistry() {
        return DEFAULT;
    }

    /** The current version of the step {@code name}. */
    public Optional<StepDefinition> find(String name) {
        return Optional.ofNullable(definitions.get(name)).map(versions -> versions.lastEntry().getValue());
    }

    /** Version {@code version} of the step {@code name}. */
    public Optional<StepDefinition> find(String name, int version) {
        return Optional.ofNullable(definitions.get(name)).map(versions -> versions.get(version));
    }

    /** The versions of the step {@code name}, ascending; empty for an unknown name. */
    public List<Integer> versions(String name) {
        NavigableMap<Integer, StepDefinition> versions = definitions.get(name);
        return versions == null ? List.of() : List.copyOf(versions.keySet());
    }

    /** Every version of every step, by name, then version. */
    public List<StepDefinition> definitions() {
        return definitions.values().stream().flatMap(versions -> versions.values().stream()).toList();
    }

    public String knownNames() {
        return String.join(", ", definitions.keySet());
    }
}
