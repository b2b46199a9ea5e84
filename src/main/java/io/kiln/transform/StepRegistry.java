package io.kiln.transform;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.kiln.embed.EmbedStep;
import io.kiln.embed.ImageEmbedStep;
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

/** Every step a JobSpec can name, by name; each name maps to its current version. */
public final class StepRegistry {
    private static final StepRegistry DEFAULT = new StepRegistry(List.of(new NormalizeStep(),
            new CleanStep(), new PiiRedactStep(), new QualityFilterStep(), new LanguageStep(),
            new DedupExactStep(), new DedupNearStep(),
            new ChunkStep(), new TokenizeStep(),
            new ImageNormalizeStep(), new DedupImageStep(), new ImageStatsStep(), new VisualWordsStep(),
            new EmbedStep(), new ImageEmbedStep()));

    private final Map<String, StepDefinition> definitions;

    public StepRegistry(List<StepDefinition> definitions) {
        this.definitions = definitions.stream()
                .collect(Collectors.toMap(StepDefinition::name, Function.identity(), (a, b) -> {
                    throw new IllegalArgumentException("duplicate step " + a.name());
                }, TreeMap::new));
    }

    public static StepRegistry defaultRegistry() {
        return DEFAULT;
    }

    public Optional<StepDefinition> find(String name) {
        return Optional.ofNullable(definitions.get(name));
    }

    public List<StepDefinition> definitions() {
        return List.copyOf(definitions.values());
    }

    public String knownNames() {
        return String.join(", ", definitions.keySet());
    }
}
