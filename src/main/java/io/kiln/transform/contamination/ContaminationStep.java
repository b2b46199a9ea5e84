package io.kiln.transform.contamination;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import io.kiln.contamination.EvalSet;
import io.kiln.contamination.EvalSets;
import io.kiln.contamination.ExactCosine;
import io.kiln.contamination.NgramIndex;
import io.kiln.contamination.NgramText;
import io.kiln.contamination.SpanCutter;
import io.kiln.transform.BatchTransform;
import io.kiln.transform.Column;
import io.kiln.transform.DataType;
import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepContext;
import io.kiln.transform.StepDefinition;
import io.kiln.transform.StepId;
import io.kiln.transform.StepParameters;
import io.kiln.transform.Transform;

/**
 * {@code contamination}: checks each row against eval sets (Kiln tables referenced by pin) and
 * flags, drops or cuts what it finds.
 *
 * <p>Two checks. <b>n-gram overlap</b> (GPT-3's decontamination): the row's text and each eval
 * item are cut into word n-grams under the versioned rule {@link NgramText#RULE} ({@code n}
 * default 13); n-grams found in more than {@code frequencyCap} eval items (default 10) are
 * ignored as common phrases; a row that shares at least {@code minMatches} n-grams (default 1)
 * with an item is contaminated by it. <b>Embedding neighbours</b> (with {@code vectorColumn}):
 * the exact cosine similarity of the row's vector to every eval item's vector of the same model;
 * at or above {@code threshold} (default 0.9) the row is contaminated by that item.
 *
 * <p>{@code mode}: {@code flag} (default) keeps every row and sets {@code contaminated_by} (the
 * items, as {@code <table>/<id>}, sorted) and {@code contamination_score} (the highest of: the
 * share of the row's n-grams found in an eval set, and the highest similarity at or above the
 * threshold); {@code drop} rejects a contaminated row with reason {@code contaminated} and the
 * items in the detail; {@code remove-span} cuts each matching span plus {@code margin} characters
 * on each side (default 200) out of the text and rejects the row as
 * {@code contaminated-too-many-pieces} when more than {@code maxPieces} pieces (default 10) are
 * left; a row found by its vector alone has no span to cut and is rejected as
 * {@code contaminated}.
 *
 * <p><b>Perceptual hashes</b> (with {@code phashColumn}, the {@code phash} that {@code image-normalize}
 * sets): an image within {@code radius} bits (default 6, as {@code dedup-image}) of an eval image's
 * hash is contaminated by it; every eval hash is compared. Without {@code column}, such a job checks
 * no text. <b>Sounds</b> (with {@code audioColumn}): the exact Jaccard similarity of the row's
 * spectral-peak landmarks to every eval sound's ({@code dedup-audio}'s fingerprint), at least
 * {@code audioThreshold} (default 0.3, as {@code dedup-audio}). Like a vector match, a hash or audio
 * match has no span to cut.
 *
 * <p>Parameters: {@code evalSets} (a list of {@code {table, pin, column, vectorColumn, phashColumn}}: pin is a
 * pin name or a snapshot id, column the eval text column, default {@code text}; vectorColumn the
 * eval vector column, default the step's), {@code column} (default {@code text}), {@code mode},
 * {@code n}, {@code frequencyCap}, {@code minMatches}, {@code vectorColumn}, {@code threshold},
 * {@code margin}, {@code maxPieces}. Eval sets are loaded when the job is created, and their
 * n-gram indexes kept ({@link EvalSets}). The recipe records each eval set's snapshot id and, for
 * the vector check, the embedding model, which must be the model of the embed step before this one.
 */
public final class ContaminationStep implements StepDefinition {
    public static final String NAME = "contamination";
    private static final StepId ID = new StepId(NAME, 1);
    private static final Set<String> PARAMETERS = Set.of("evalSets", "column", "mode", "n", "frequencyCap", "minMatches", "vectorColumn", "threshold",
            "margin", "maxPieces", "phashColumn", "radius", "audioColumn", "audioThreshold");
    private static final Set<String> EVAL_SET_FIELDS = Set.of("table", "pin", "column", "vectorColumn", "phashColumn", "audioColumn");
    private static final String MODEL = "kiln.embedding-model";
    public static final String CONTAMINATED_BY = "contaminated_by";
    public static final String SCORE = "contamination_score";
    private static final List<Column> COLUMNS = List.of(
            Column.optional(CONTAMINATED_BY, new DataType.ListOf(DataType.STRING, true), "the eval items (<table>/<id>) this row overlaps, sorted"),
            Column.doubleColumn(SCORE, "the highest n-gram overlap share or embedding similarity of this row to an eval set"));

    enum Mode { FLAG, DROP, REMOVE_SPAN }

    @Override
    public StepId id() {
        return ID;
    }

    @Override
    public Transform bind(Map<String, Object> parameters, StepContext context) {
        StepParameters.requireOnly(parameters, PARAMETERS);
        String column = StepParameters.column(parameters, "column");
        Mode mode = Mode.valueOf(StepParameters.oneOf(parameters, "mode", "flag", Set.of("flag", "drop", "remove-span")).toUpperCase(Locale.ROOT).replace('-', '_'));
        int n = StepParameters.integer(parameters, "n", 13, 1, 64);
        int frequencyCap = StepParameters.integer(parameters, "frequencyCap", 10, 1, Integer.MAX_VALUE);
        int minMatches = StepParameters.integer(parameters, "minMatches", 1, 1, Integer.MAX_VALUE);
        Optional<String> vectorColumn = parameters.containsKey("vectorColumn") ? Optional.of(StepParameters.column(parameters, "vectorColumn")) : Optional.empty();
        float threshold = (float) StepParameters.number(parameters, "threshold", 0.9, -1, 1);
        int margin = StepParameters.integer(parameters, "margin", 200, 0, 1_000_000);
        int maxPieces = StepParameters.integer(parameters, "maxPieces", 10, 1, 1_000_000);
        Optional<String> phashColumn = parameters.containsKey("phashColumn") ? Optional.of(StepParameters.column(parameters, "phashColumn")) : Optional.empty();
        int radius = StepParameters.integer(parameters, "radius", 6, 0, 32);
        if (parameters.containsKey("radius") && phashColumn.isEmpty()) {
            throw new InvalidStepParameterException("radius", "applies to the perceptual-hash check, which needs phashColumn");
        }
        Optional<String> audioColumn = parameters.containsKey("audioColumn") ? Optional.of(StepParameters.column(parameters, "audioColumn")) : Optional.empty();
        double audioThreshold = StepParameters.number(parameters, "audioThreshold", 0.3, 0, 1);
        if (parameters.containsKey("audioThreshold") && audioColumn.isEmpty()) {
            throw new InvalidStepParameterException("audioThreshold", "applies to the audio check, which needs audioColumn");
        }
        // an image or audio job has no text: with phashColumn or audioColumn and no column, no text is compared
        boolean ngramCheck = phashColumn.isEmpty() && audioColumn.isEmpty() || parameters.containsKey("column");
        if (parameters.containsKey("threshold") && vectorColumn.isEmpty()) {
            throw new InvalidStepParameterException("threshold", "applies to the embedding check, which needs vectorColumn");
        }
        Optional<String> model = Optional.empty();
        if (vectorColumn.isPresent()) {
            model = Optional.ofNullable(context.earlierFingerprints().get(MODEL));
            if (model.isEmpty()) {
                throw new InvalidStepParameterException("vectorColumn", "the embedding check compares vectors of one model: compute " + vectorColumn.get()
                        + " with an embed step before this one, so its model is known");
            }
        }
        if (!(parameters.get("evalSets") instanceof List<?> given) || given.isEmpty()) {
            throw new InvalidStepParameterException("evalSets", "is required: the eval sets to check against, as [{\"table\": \"evals.qa\", \"pin\": \"v1\"}]");
        }
        List<EvalSet> evalSets = new ArrayList<>();
        Map<String, String> fingerprint = new TreeMap<>();
        fingerprint.put("ngram-rule", NgramText.RULE);
        for (int i = 0; i < given.size(); i++) {
            String field = "evalSets[" + i + "]";
            if (!(given.get(i) instanceof Map<?, ?> entry)) {
                throw new InvalidStepParameterException(field, "must be an object: {\"table\": \"evals.qa\", \"pin\": \"v1\"}");
            }
            Map<String, Object> evalSet = StepParameters.object(entry);
            StepParameters.requireOnly(evalSet, field, EVAL_SET_FIELDS);
            if (!(evalSet.get("table") instanceof String table) || table.isBlank()) {
                throw new InvalidStepParameterException(field + ".table", "is required: the eval set's table, such as evals.qa");
            }
            Object pinValue = evalSet.get("pin");
            if (!(pinValue instanceof String) && !(pinValue instanceof Number)) {
                throw new InvalidStepParameterException(field + ".pin", "is required: the pin (or snapshot id) of the eval set, so every job checks against the same items");
            }
            String pin = String.valueOf(pinValue);
            String evalColumn = ngramCheck ? StepParameters.column(evalSet, "column") : "";
            Optional<String> evalVectors = vectorColumn.map(name -> StepParameters.column(evalSet, "vectorColumn", name));
            Optional<String> evalHashes = phashColumn.map(name -> StepParameters.column(evalSet, "phashColumn", name));
            Optional<String> evalAudio = audioColumn.map(name -> StepParameters.column(evalSet, "audioColumn", name));
            List<String> read = new ArrayList<>();
            if (ngramCheck) {
                read.add(evalColumn);
            }
            evalVectors.ifPresent(read::add);
            evalHashes.ifPresent(read::add);
            evalAudio.ifPresent(read::add);
            StepContext.TableRows rows = context.rows(table, pin, read).orElseThrow(() -> new InvalidStepParameterException(field,
                    "table " + table + " has no published snapshot or pin '" + pin + "' with the columns " + String.join(", ", read)));
            if (evalVectors.isPresent() && !model.get().equals(rows.summary().get(MODEL))) {
                throw new InvalidStepParameterException(field + ".vectorColumn", "the eval set's vectors were made by " + rows.summary().getOrDefault(MODEL, "no recorded model")
                        + ", this job's by " + model.get() + ": similarities between two models mean nothing");
            }
            EvalSet loaded;
            try {
                loaded = EvalSets.load(rows, new EvalSets.Options(evalColumn, n, frequencyCap, evalVectors, evalHashes, evalAudio));
            }
            catch (IllegalArgumentException e) {
                throw new InvalidStepParameterException(field, e.getMessage());
            }
            evalSets.add(loaded);
            fingerprint.put(field, table + "@" + loaded.snapshotId());
        }
        model.ifPresent(name -> fingerprint.put("embedding-model", name));
        phashColumn.ifPresent(name -> fingerprint.put("phash-radius", Integer.toString(radius)));
        audioColumn.ifPresent(name -> fingerprint.put("audio-landmarks", "dedup-audio@1 landmarks at " + io.kiln.contamination.AudioLandmarks.RATE + " Hz, Jaccard >= " + audioThreshold));
        return new Check(ngramCheck ? Optional.of(column) : Optional.empty(), mode, minMatches, vectorColumn, threshold, phashColumn, radius, audioColumn,
                audioThreshold, margin, maxPieces, List.copyOf(evalSets), Map.copyOf(fingerprint));
    }

    /** Matches that have no span to cut (a vector, a perceptual hash, audio landmarks): the items, best first, the best score, and what to say. */
    private record Spanless(List<Integer> items, double score, String detail) {}

    /** What one row overlaps: the items, the score, the spans to cut, and whether a vector alone found some. */
    private record Finding(TreeSet<String> items, double score, List<int[]> spans, boolean byVector, String detail) {}

    private record Check(Optional<String> column, Mode mode, int minMatches, Optional<String> vectorColumn, float threshold, Optional<String> phashColumn,
            int radius, Optional<String> audioColumn, double audioThreshold, int margin, int maxPieces, List<EvalSet> evalSets, Map<String, String> fingerprint)
            implements BatchTransform {
        @Override
        public StepId id() {
            return ID;
        }

        @Override
        public List<Outcome> applyAll(List<Row> rows) {
            List<List<List<ExactCosine.Hit>>> vectorHits = new ArrayList<>();
            if (vectorColumn.isPresent()) {
                float[][] vectors = new float[rows.size()][];
                for (int i = 0; i < vectors.length; i++) {
                    vectors[i] = rows.get(i).value(vectorColumn.get()).map(io.kiln.transform.Values::floats).orElse(null);
                }
                for (EvalSet evalSet : evalSets) {
                    vectorHits.add(evalSet.vectors().orElseThrow().above(vectors, threshold));
                }
            }
            List<Outcome> outcomes = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                int row = i;
                outcomes.add(apply(rows.get(i), vectorHits.stream().map(hits -> hits.get(row)).toList()));
            }
            return outcomes;
        }

        private Outcome apply(Row row, List<List<ExactCosine.Hit>> hitsByEvalSet) {
            Optional<String> text = column.flatMap(row::string);
            Optional<Long> hash = phashColumn.flatMap(row::value).filter(Number.class::isInstance).map(value -> ((Number) value).longValue());
            Optional<long[]> landmarks = audioColumn.flatMap(row::value).flatMap(io.kiln.contamination.AudioLandmarks::of);
            Finding finding = find(text, hash, landmarks, hitsByEvalSet);
            if (finding.items().isEmpty()) {
                return Outcome.emit(row.with(Map.of(CONTAMINATED_BY, List.of(), SCORE, finding.score())));
            }
            return switch (mode) {
                case FLAG -> Outcome.emit(row.with(Map.of(CONTAMINATED_BY, List.copyOf(finding.items()), SCORE, finding.score())));
                case DROP -> Outcome.drop(ID, "contaminated", finding.detail());
                case REMOVE_SPAN -> {
                    if (finding.byVector()) {
                        yield Outcome.drop(ID, "contaminated", finding.detail() + "; a vector match has no span to cut");
                    }
                    List<int[]> spans = new ArrayList<>(finding.spans());
                    spans.sort((a, b) -> a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(a[1], b[1]));
                    int[] starts = spans.stream().mapToInt(span -> span[0]).toArray();
                    int[] ends = spans.stream().mapToInt(span -> span[1]).toArray();
                    SpanCutter.Cut cut = SpanCutter.cut(text.orElseThrow(), starts, ends, margin, maxPieces);
                    if (cut.tooManyPieces()) {
                        yield Outcome.drop(ID, "contaminated-too-many-pieces", finding.detail() + "; cutting the spans leaves " + cut.pieces()
                                + " pieces, more than maxPieces " + maxPieces);
                    }
                    if (cut.pieces() == 0) {
                        yield Outcome.drop(ID, "contaminated", finding.detail() + "; nothing is left once the spans are cut");
                    }
                    Map<String, Object> columns = new LinkedHashMap<>();
                    columns.put(column.orElseThrow(), cut.text());
                    columns.put(CONTAMINATED_BY, List.copyOf(finding.items()));
                    columns.put(SCORE, finding.score());
                    yield Outcome.emit(row.with(columns));
                }
            };
        }

        private Finding find(Optional<String> text, Optional<Long> hash, Optional<long[]> landmarks, List<List<ExactCosine.Hit>> hitsByEvalSet) {
            TreeSet<String> items = new TreeSet<>();
            List<int[]> spans = new ArrayList<>();
            double score = 0;
            boolean byVector = false;
            List<String> details = new ArrayList<>();
            for (int e = 0; e < evalSets.size(); e++) {
                EvalSet evalSet = evalSets.get(e);
                if (text.isPresent()) {
                    NgramIndex.Match match = evalSet.ngrams().match(text.get());
                    score = Math.max(score, match.score());
                    if (match.matchedNgrams() >= minMatches && match.items().length > 0) {
                        Arrays.stream(match.items()).forEach(item -> items.add(evalSet.reference(item)));
                        for (int s = 0; s < match.spanStarts().length; s++) {
                            spans.add(new int[] {match.spanStarts()[s], match.spanEnds()[s]});
                        }
                        details.add(String.format(Locale.ROOT, "shares %d of its %d %d-grams with %s", match.matchedNgrams(), match.ngrams(),
                                evalSet.ngrams().n(), String.join(", ", Arrays.stream(match.items()).limit(5).mapToObj(evalSet::reference).toList())
                                        + (match.items().length > 5 ? " and " + (match.items().length - 5) + " more" : "")));
                    }
                }
                List<Spanless> matches = new ArrayList<>();
                hash.map(value -> evalSet.perceptualMatches(value, radius)).filter(hits -> !hits.isEmpty()).ifPresent(hits -> matches.add(new Spanless(
                        hits.stream().map(EvalSet.HashHit::item).toList(), 1 - hits.get(0).distance() / 64.0,
                        String.format(Locale.ROOT, "perceptual hash within %d bits of %s", hits.get(0).distance(), evalSet.reference(hits.get(0).item())))));
                landmarks.map(value -> evalSet.audioMatches(value, audioThreshold)).filter(hits -> !hits.isEmpty()).ifPresent(hits -> matches.add(new Spanless(
                        hits.stream().map(EvalSet.AudioHit::item).toList(), hits.get(0).similarity(),
                        String.format(Locale.ROOT, "audio landmarks %.3f similar to %s", hits.get(0).similarity(), evalSet.reference(hits.get(0).item())))));
                if (e < hitsByEvalSet.size() && !hitsByEvalSet.get(e).isEmpty()) {
                    List<ExactCosine.Hit> hits = hitsByEvalSet.get(e);
                    matches.add(new Spanless(hits.stream().map(ExactCosine.Hit::item).toList(), hits.get(0).similarity(),
                            String.format(Locale.ROOT, "embedding similarity %.4f to %s", hits.get(0).similarity(), evalSet.reference(hits.get(0).item()))));
                }
                for (Spanless match : matches) {
                    boolean newItem = false;
                    for (int item : match.items()) {
                        newItem |= items.add(evalSet.reference(item));
                    }
                    byVector |= newItem;
                    score = Math.max(score, match.score());
                    details.add(match.detail());
                }
            }
            return new Finding(items, score, spans, byVector, String.join("; ", details));
        }

        @Override
        public List<Column> reads() {
            List<Column> reads = new ArrayList<>();
            column.ifPresent(name -> reads.add(Column.string(name, "the text checked")));
            phashColumn.ifPresent(name -> reads.add(Column.optional(name, DataType.LONG, "the perceptual hash checked")));
            audioColumn.ifPresent(name -> reads.add(Column.optional(name, DataType.BINARY, "the sound checked")));
            return reads;
        }

        @Override
        public Set<String> readsAnyType() {
            return vectorColumn.map(Set::of).orElse(Set.of());
        }

        @Override
        public List<Column> columns() {
            return COLUMNS;
        }

        @Override
        public Map<String, String> fingerprint() {
            return fingerprint;
        }
    }
}
