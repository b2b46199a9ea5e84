package io.kiln.contamination;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jboss.logging.Logger;

import io.kiln.transform.StepContext;

/**
 * Loads eval sets and keeps them: the n-gram index of an eval snapshot is built once and written to
 * the index directory (when one is configured), so a later job or a restarted service reads it
 * instead of building it again; the few eval sets used last stay in memory. An index is named by
 * everything that decides its content: the table's UUID, the snapshot, the column, n, the frequency
 * cap and the normalization rule.
 */
public final class EvalSets {
    private static final Logger LOG = Logger.getLogger(EvalSets.class);
    /** Eval sets kept in memory, the least recently used dropped first. */
    private static final int KEPT = 4;
    /** Vectors are held in memory: 200,000 items of 384 floats is about 300 MB. */
    public static final int MAX_VECTOR_ITEMS = 200_000;
    private static volatile Optional<Path> directory = Optional.empty();
    private static final Map<Key, EvalSet> LOADED = new LinkedHashMap<>(16, 0.75f, true);

    private EvalSets() {}

    /** What an eval set is loaded with: the text column and its n-gram settings, and the vector column if any. */
    public record Options(String textColumn, int n, int frequencyCap, Optional<String> vectorColumn, Optional<String> hashColumn, Optional<String> audioColumn) {
        public Options {
            requireNonNull(textColumn, "textColumn is null");
            requireNonNull(vectorColumn, "vectorColumn is null");
            requireNonNull(hashColumn, "hashColumn is null");
            requireNonNull(audioColumn, "audioColumn is null");
        }

        public Options(String textColumn, int n, int frequencyCap, Optional<String> vectorColumn) {
            this(textColumn, n, frequencyCap, vectorColumn, Optional.empty(), Optional.empty());
        }
    }

    private record Key(String tableUuid, long snapshotId, Options options) {}

    /** Where n-gram indexes are kept on disk; the service sets it to {@code <kiln.data-dir>/indexes/contamination}. */
    public static void directory(Path path) {
        directory = Optional.of(path);
    }

    /**
     * The eval set of {@code rows} (which must hold {@code id}, the text column and the vector column
     * of {@code options}): built, read from the index directory, or kept from an earlier call.
     *
     * @throws IllegalArgumentException when an item's vector is unusable or there are too many items to hold their vectors
     */
    public static EvalSet load(StepContext.TableRows rows, Options options) {
        Key key = new Key(rows.tableUuid(), rows.snapshotId(), options);
        synchronized (LOADED) {
            EvalSet kept = LOADED.get(key);
            if (kept != null) {
                return kept;
            }
        }
        EvalSet loaded = build(rows, options);
        synchronized (LOADED) {
            LOADED.putIfAbsent(key, loaded);
            EvalSet result = LOADED.get(key);
            while (LOADED.size() > KEPT) {
                LOADED.remove(LOADED.keySet().iterator().next());
            }
            return result;
        }
    }

    private static EvalSet build(StepContext.TableRows rows, Options options) {
        int text = rows.columns().indexOf(options.textColumn());
        int vector = options.vectorColumn().map(rows.columns()::indexOf).orElse(-1);
        int hash = options.hashColumn().map(rows.columns()::indexOf).orElse(-1);
        List<Long> hashes = new ArrayList<>();
        int audio = options.audioColumn().map(rows.columns()::indexOf).orElse(-1);
        List<long[]> landmarks = new ArrayList<>();
        Optional<Path> file = directory.map(root -> root.resolve(rows.tableUuid()).resolve(rows.snapshotId() + "-" + options.textColumn() + "-n" + options.n()
                + "-cap" + options.frequencyCap() + "-" + NgramText.RULE.replace('@', '-') + ".ngrams"));
        Optional<NgramIndex> stored = Optional.empty();
        if (file.isPresent() && Files.isRegularFile(file.get())) {
            try {
                stored = Optional.of(NgramIndex.read(file.get()));
            }
            catch (RuntimeException e) {
                LOG.warnf("Rebuilding the n-gram index of %s at %d: %s", rows.table(), rows.snapshotId(), e.getMessage());
            }
        }
        boolean build = stored.isEmpty();
        NgramIndex.Builder builder = NgramIndex.builder(options.n(), options.frequencyCap());
        List<String> ids = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        rows.source().forEach(values -> {
            int ordinal = ids.size();
            ids.add(String.valueOf(values[0]));
            if (build) {
                builder.add(ordinal, text >= 0 && values[text] instanceof String value ? value : "");
            }
            if (hash >= 0) {
                hashes.add(values[hash] instanceof Number number ? number.longValue() : null);
            }
            if (audio >= 0) {
                landmarks.add(AudioLandmarks.of(values[audio]).orElse(null));
            }
            if (vector >= 0) {
                if (ordinal >= MAX_VECTOR_ITEMS) {
                    throw new IllegalArgumentException("eval set " + rows.table() + " has more than " + MAX_VECTOR_ITEMS + " items; their vectors are held in memory");
                }
                vectors.add(values[vector] instanceof float[] floats ? floats : null);
            }
        });
        NgramIndex index;
        if (stored.isPresent() && stored.get().items() == ids.size()) {
            index = stored.get();
        }
        else if (build) {
            index = builder.build();
            if (file.isPresent()) {
                try {
                    Files.createDirectories(file.get().getParent());
                    index.write(file.get());
                }
                catch (java.io.IOException | RuntimeException e) {
                    LOG.warnf("Cannot keep the n-gram index of %s at %d in %s: %s", rows.table(), rows.snapshotId(), file.get(), e.getMessage());
                }
            }
        }
        else {
            // the stored index does not hold this snapshot's items: build it again
            NgramIndex.Builder again = NgramIndex.builder(options.n(), options.frequencyCap());
            int[] ordinal = {0};
            rows.source().forEach(values -> again.add(ordinal[0]++, text >= 0 && values[text] instanceof String value ? value : ""));
            index = again.build();
        }
        Optional<ExactCosine> cosine = Optional.empty();
        if (vector >= 0) {
            for (int i = 0; i < vectors.size(); i++) {
                if (vectors.get(i) == null) {
                    throw new IllegalArgumentException("item " + ids.get(i) + " of eval set " + rows.table() + " has no vector in column " + options.vectorColumn().get());
                }
            }
            cosine = Optional.of(ExactCosine.of(vectors.toArray(new float[0][])));
        }
        Optional<long[]> perceptual = Optional.empty();
        Optional<boolean[]> hashed = Optional.empty();
        if (hash >= 0) {
            long[] values = new long[hashes.size()];
            boolean[] present = new boolean[hashes.size()];
            for (int i = 0; i < values.length; i++) {
                present[i] = hashes.get(i) != null;
                values[i] = present[i] ? hashes.get(i) : 0;
            }
            perceptual = Optional.of(values);
            hashed = Optional.of(present);
        }
        return new EvalSet(rows.table(), rows.snapshotId(), rows.summary(), ids, index, cosine, perceptual, hashed,
                audio >= 0 ? Optional.of(landmarks.toArray(new long[0][])) : Optional.empty());
    }
}
