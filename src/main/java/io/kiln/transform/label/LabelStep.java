package io.kiln.transform.label;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import io.kiln.transform.Column;
import io.kiln.transform.DataType;
import io.kiln.transform.FittedStep;
import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepContext;
import io.kiln.transform.StepDefinition;
import io.kiln.transform.StepId;
import io.kiln.transform.StepParameters;
import io.kiln.transform.Transform;
import io.kiln.transform.Values;

/**
 * {@code label}: programmatic labeling at ingest. Labeling functions ({@code keywords},
 * {@code regex}, {@code lexicon}) vote for one of {@code labels} or abstain; a label model turns the
 * votes into {@code label} and {@code label_confidence}, and {@code label_votes} keeps every vote (-1
 * for abstain), in the order of the functions' ids. The model is {@code majority} (ties go to the
 * label listed first), {@code dawid-skene} (EM from the majority vote, a fixed number of iterations)
 * or {@code weighted} (weights fitted on the gold labels). The functions are sorted by id before
 * anything is computed, so their order in the spec changes nothing; fitting sums over distinct vote
 * patterns in a fixed order, so threads and batches change nothing either.
 *
 * <p>With {@code gold} (a column of the rows, or {@code {"table": ..., "pin": ..., "column": ...}}: a
 * table of human labels at a pin, by row id), each function's accuracy and the model's precision,
 * recall, F1 and confusion matrix are measured against it; the evaluation goes into the snapshot
 * summary ({@code kiln.label.*}), where the suite rules {@code LabelCoverage} and {@code LabelAccuracy}
 * gate the publish. Rows every function abstains on are kept unlabelled, or dropped
 * ({@code "unlabeled": "drop"}, reason {@code unlabeled}).
 */
public final class LabelStep implements StepDefinition {
    public static final String NAME = "label";
    private static final StepId ID = new StepId(NAME, 1);
    public static final String PREFIX = "kiln.label.";
    public static final String EVALUATION = PREFIX + "evaluation";
    private static final Set<String> KINDS = Set.of("keywords", "regex", "lexicon", "similarity", "predicate", "classifier");
    /** Classifier sessions by model sha256: a model is loaded once per service. */
    private static final Map<String, ai.onnxruntime.OrtSession> CLASSIFIERS = new java.util.concurrent.ConcurrentHashMap<>();
    /** Seed vectors read from a table into memory; more is refused. */
    public static final int MAX_SEEDS = 100_000;
    private static final Set<String> MODELS = Set.of("majority", "dawid-skene", "weighted");
    /** Human labels read from a gold table into memory; a bigger gold set is refused. */
    public static final int MAX_GOLD_ROWS = 5_000_000;

    @Override
    public StepId id() {
        return ID;
    }

    @Override
    public Transform bind(Map<String, Object> parameters, StepContext context) {
        StepParameters.requireOnly(parameters, Set.of("labels", "functions", "model", "gold", "unlabeled"));
        List<String> labels = StepParameters.strings(parameters, "labels", List.of());
        if (labels.size() < 2 || new HashSet<>(labels).size() != labels.size()) {
            throw new InvalidStepParameterException("labels", "is required: two or more distinct label names, was " + labels);
        }
        if (!(parameters.get("functions") instanceof List<?> specs) || specs.isEmpty()) {
            throw new InvalidStepParameterException("functions", "is required: a list of labeling functions, e.g. "
                    + "[{\"id\": \"mentions-refund\", \"kind\": \"keywords\", \"keywords\": [\"refund\"], \"label\": \"negative\"}]");
        }
        TreeMap<String, LabelingFunction> functions = new TreeMap<>();
        Map<String, String> fingerprint = new TreeMap<>();
        for (int i = 0; i < specs.size(); i++) {
            String field = "functions[" + i + "]";
            if (!(specs.get(i) instanceof Map<?, ?> spec)) {
                throw new InvalidStepParameterException(field, "must be an object with an id, a kind and a label");
            }
            LabelingFunction function = function(StepParameters.object(spec), field, labels, fingerprint, context);
            if (functions.put(function.id(), function) != null) {
                throw new InvalidStepParameterException(field + ".id", "repeats the id " + function.id() + ": ids must be unique");
            }
        }
        String modelType = "majority";
        int iterations = 50;
        if (parameters.get("model") != null) {
            if (!(parameters.get("model") instanceof Map<?, ?> model)) {
                throw new InvalidStepParameterException("model", "must be an object such as {\"type\": \"dawid-skene\", \"iterations\": 50}");
            }
            Map<String, Object> spec = StepParameters.object(model);
            StepParameters.requireOnly(spec, "model", Set.of("type", "iterations"));
            modelType = StepParameters.oneOf(spec, "type", "majority", MODELS);
            iterations = StepParameters.integer(spec, "iterations", 50, 1, 10_000);
        }
        Gold gold = gold(parameters.get("gold"), context, fingerprint);
        if (modelType.equals("weighted") && gold instanceof Gold.None) {
            throw new InvalidStepParameterException("model.type", "weighted fits its weights on gold labels: give gold");
        }
        boolean drop = "drop".equals(StepParameters.oneOf(parameters, "unlabeled", "keep", Set.of("keep", "drop")));
        return new Labeler(List.copyOf(labels), List.copyOf(functions.values()), modelType, iterations, gold, drop, java.util.Collections.unmodifiableMap(new TreeMap<>(fingerprint)));
    }

    private static LabelingFunction function(Map<String, Object> spec, String field, List<String> labels, Map<String, String> fingerprint,
            StepContext context) {
        if (!(spec.get("id") instanceof String id) || !id.matches("[a-z0-9][a-z0-9_.-]{0,63}")) {
            throw new InvalidStepParameterException(field + ".id", "is required: lower-case letters, digits, '.', '-' and '_', was " + spec.get("id"));
        }
        String kind = StepParameters.oneOf(spec, "kind", null, KINDS);
        if (kind == null) {
            throw new InvalidStepParameterException(field + ".kind", "is required: one of keywords, regex, lexicon, similarity, predicate, classifier");
        }
        int version = StepParameters.integer(spec, "version", 1, 1, 1_000_000);
        String column = StepParameters.column(spec, "column", kind.equals("similarity") || kind.equals("classifier") ? "embedding" : io.kiln.transform.Row.TEXT);
        int label = kind.equals("classifier") ? LabelingFunction.ABSTAIN : label(spec, "label", field, labels);
        try {
            switch (kind) {
                case "keywords" -> {
                    StepParameters.requireOnly(spec, field, Set.of("id", "kind", "version", "column", "label", "keywords", "caseSensitive"));
                    List<String> keywords = StepParameters.strings(spec, "keywords", List.of());
                    if (keywords.isEmpty() || keywords.stream().anyMatch(String::isBlank)) {
                        throw new InvalidStepParameterException("keywords", "is required: words or phrases, none blank");
                    }
                    return LabelingFunction.Keywords.of(id, version, column, keywords, StepParameters.flag(spec, "caseSensitive", false), label);
                }
                case "regex" -> {
                    StepParameters.requireOnly(spec, field, Set.of("id", "kind", "version", "column", "label", "pattern", "caseSensitive"));
                    if (!(spec.get("pattern") instanceof String pattern) || pattern.isEmpty()) {
                        throw new InvalidStepParameterException("pattern", "is required: a Java regular expression");
                    }
                    boolean caseSensitive = StepParameters.flag(spec, "caseSensitive", true);
                    try {
                        return new LabelingFunction.Regex(id, version, column, Pattern.compile(pattern,
                                caseSensitive ? 0 : Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE), label);
                    }
                    catch (PatternSyntaxException e) {
                        throw new InvalidStepParameterException("pattern", "is not a valid regular expression: " + e.getDescription());
                    }
                }
                case "classifier" -> {
                    StepParameters.requireOnly(spec, field, Set.of("id", "kind", "version", "column", "modelPath", "modelSha256", "classes", "minProbability"));
                    return classifier(id, version, column, spec, labels, fingerprint);
                }
                case "predicate" -> {
                    StepParameters.requireOnly(spec, field, Set.of("id", "kind", "version", "label", "where"));
                    if (!(spec.get("where") instanceof String where) || where.isBlank()) {
                        throw new InvalidStepParameterException("where", "is required: a condition on the row's columns, such as \"stars >= 4 and verified = true\"");
                    }
                    io.kiln.read.RowFilter filter;
                    try {
                        filter = io.kiln.read.RowFilter.parse(where, io.kiln.lake.IcebergTypes.schema(context.columnsBefore()));
                    }
                    catch (io.kiln.error.KilnException e) {
                        throw new InvalidStepParameterException("where", e.getMessage() + "; the rows have the columns "
                                + String.join(", ", context.columnsBefore().stream().map(Column::name).toList()));
                    }
                    return new LabelingFunction.Predicate(id, version, where, List.copyOf(filter.columns()), filter.valuesPredicate(), label);
                }
                case "similarity" -> {
                    StepParameters.requireOnly(spec, field, Set.of("id", "kind", "version", "column", "label", "seeds", "threshold"));
                    double threshold = StepParameters.number(spec, "threshold", Double.NaN, -1, 1);
                    if (Double.isNaN(threshold)) {
                        throw new InvalidStepParameterException("threshold", "is required: the least cosine similarity to a seed, from -1 to 1");
                    }
                    return similarity(id, version, column, spec.get("seeds"), threshold, label, fingerprint, context);
                }
                default -> {
                    StepParameters.requireOnly(spec, field, Set.of("id", "kind", "version", "column", "label", "lexiconPath", "atLeast", "atMost"));
                    if ((spec.get("atLeast") == null) == (spec.get("atMost") == null)) {
                        throw new InvalidStepParameterException("atLeast", "give atLeast or atMost: the whole score at which the function votes");
                    }
                    boolean atLeast = spec.get("atLeast") != null;
                    long threshold = StepParameters.integer(spec, atLeast ? "atLeast" : "atMost", 0, -1_000_000, 1_000_000);
                    Lexicon lexicon = lexicon(spec.get("lexiconPath"));
                    fingerprint.put(id + ".lexicon-sha256", lexicon.sha256());
                    return new LabelingFunction.Lexicon(id, version, column, lexicon.scores(), lexicon.sha256(), atLeast, threshold, label);
                }
            }
        }
        catch (InvalidStepParameterException e) {
            if (e.parameter().startsWith(field)) {
                throw e;
            }
            throw new InvalidStepParameterException(field + "." + e.parameter(), e.getMessage());
        }
    }

    /**
     * An ONNX classifier over a vector column: one float input of shape [batch, dimension], its first
     * output the probabilities of {@code classes} (the step's label of each output class, or null for
     * none), in that order.
     */
    private static LabelingFunction classifier(String id, int version, String column, Map<String, Object> spec, List<String> labels,
            Map<String, String> fingerprint) {
        StepParameters.ModelFile model = StepParameters.modelFile(spec, ": the .onnx file of the classifier");
        if (!(spec.get("classes") instanceof List<?> classes) || classes.isEmpty()) {
            throw new InvalidStepParameterException("classes", "is required: the step's label of each of the model's output classes, in order (null for none)");
        }
        int[] labelOfClass = new int[classes.size()];
        for (int i = 0; i < labelOfClass.length; i++) {
            Object name = classes.get(i);
            labelOfClass[i] = name == null ? LabelingFunction.ABSTAIN : labels.indexOf(String.valueOf(name));
            if (name != null && labelOfClass[i] < 0) {
                throw new InvalidStepParameterException("classes", "'" + name + "' is not one of the labels " + String.join(", ", labels));
            }
        }
        double minProbability = StepParameters.number(spec, "minProbability", 0.5, 0, 1);
        ai.onnxruntime.OrtSession session;
        String input;
        int dimension;
        try {
            session = CLASSIFIERS.computeIfAbsent(model.sha256(), sha256 -> {
                try {
                    io.kiln.embed.OrtRuntime runtime = io.kiln.embed.OrtRuntime.get();
                    return runtime.environment().createSession(model.bytes(), runtime.sessionOptions(io.kiln.embed.ExecutionProvider.CPU, 1));
                }
                catch (ai.onnxruntime.OrtException e) {
                    throw new InvalidStepParameterException("modelPath", "is not an ONNX model ONNX Runtime can load: " + e.getMessage());
                }
            });
            Map.Entry<String, ai.onnxruntime.NodeInfo> only = session.getInputInfo().size() == 1 ? session.getInputInfo().entrySet().iterator().next() : null;
            long[] shape = only != null && only.getValue().getInfo() instanceof ai.onnxruntime.TensorInfo tensor
                    && tensor.type == ai.onnxruntime.OnnxJavaType.FLOAT ? tensor.getShape() : null;
            if (shape == null || shape.length != 2 || shape[1] < 1) {
                throw new InvalidStepParameterException("modelPath", "the classifier must take one float input of shape [batch, dimension]");
            }
            input = only.getKey();
            dimension = (int) shape[1];
            long[] output = session.getOutputInfo().values().iterator().next().getInfo() instanceof ai.onnxruntime.TensorInfo tensor ? tensor.getShape() : new long[0];
            if (output.length != 2 || output[1] > 0 && output[1] != classes.size()) {
                throw new InvalidStepParameterException("classes", "the model's first output is " + java.util.Arrays.toString(output) + ", not [batch, "
                        + classes.size() + "] probabilities of the classes given");
            }
        }
        catch (ai.onnxruntime.OrtException e) {
            throw new InvalidStepParameterException("modelPath", "cannot read the classifier's inputs and outputs: " + e.getMessage());
        }
        fingerprint.put(id + ".model-sha256", model.sha256());
        return new LabelingFunction.Classifier(id, version, column, model.sha256(), session, input, dimension, labelOfClass, minProbability);
    }

    /** Seeds: the vectors of rows of a pinned table ({@code ids} of them, or all), compared in id order. */
    private static LabelingFunction similarity(String id, int version, String column, Object value, double threshold, int label,
            Map<String, String> fingerprint, StepContext context) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new InvalidStepParameterException("seeds", "is required: {\"table\": \"ns.seeds\", \"pin\": \"seeds-v1\", \"column\": \"embedding\", \"ids\": [...]}");
        }
        Map<String, Object> seeds = StepParameters.object(map);
        StepParameters.requireOnly(seeds, "seeds", Set.of("table", "pin", "column", "ids"));
        if (!(seeds.get("table") instanceof String table) || !(seeds.get("pin") instanceof String pin)) {
            throw new InvalidStepParameterException("seeds", "needs table and pin: the seed rows are rows of a table at a pin or snapshot id");
        }
        String seedColumn = StepParameters.column(seeds, "column", column);
        List<String> ids = StepParameters.strings(seeds, "ids", List.of());
        StepContext.Vectors vectors = context.vectors(table, pin, seedColumn, MAX_SEEDS).orElseThrow(() -> new InvalidStepParameterException("seeds.pin",
                "table " + table + " has no pin or published snapshot '" + pin + "' with a column " + seedColumn));
        List<String> chosen = ids.isEmpty() ? vectors.byId().keySet().stream().sorted().toList() : ids.stream().sorted().toList();
        List<double[]> units = new ArrayList<>();
        for (String seed : chosen) {
            double[] unit = LabelingFunction.Similarity.unit(vectors.byId().get(seed));
            if (unit == null) {
                throw new InvalidStepParameterException("seeds.ids", "table " + table + " at " + pin + " has no vector in " + seedColumn + " for row " + seed);
            }
            units.add(unit);
        }
        if (units.isEmpty()) {
            throw new InvalidStepParameterException("seeds", "table " + table + " at " + pin + " has no seed rows");
        }
        fingerprint.put(id + ".seeds", table + "@" + vectors.snapshotId() + " " + seedColumn + " " + chosen.size() + " rows");
        String model = vectors.summary().get("kiln.embedding-model");
        if (model != null) {
            fingerprint.put(id + ".seed-model", model);
        }
        // the job's own embed step made the rows' vectors: the seeds' must come from the same model
        String jobModel = context.earlierFingerprints().get("kiln.embedding-model");
        if (jobModel != null && !jobModel.equals(model)) {
            throw new InvalidStepParameterException("seeds.pin", "the seeds' vectors were made by " + (model == null ? "no recorded model" : model)
                    + ", this job's by " + jobModel + ": similarities between two models mean nothing");
        }
        return new LabelingFunction.Similarity(id, version, column, units.toArray(new double[0][]), threshold, label);
    }

    private record Lexicon(Map<String, Integer> scores, String sha256) {}

    /** A word list as AFINN ships it: one {@code word<TAB>score} per line, whole-number scores. */
    private static Lexicon lexicon(Object pathValue) {
        if (!(pathValue instanceof String pathText) || pathText.isBlank()) {
            throw new InvalidStepParameterException("lexiconPath", "is required: a word list (word, a tab, a whole-number score, per line), inside the source roots");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(Path.of(pathText));
        }
        catch (IOException | java.nio.file.InvalidPathException e) {
            throw new InvalidStepParameterException("lexiconPath", "the word list " + pathText + " does not exist or cannot be read");
        }
        Map<String, Integer> scores = new TreeMap<>();
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int tab = line.lastIndexOf('\t');
            try {
                if (tab <= 0) {
                    throw new NumberFormatException();
                }
                scores.put(line.substring(0, tab).strip().toLowerCase(java.util.Locale.ROOT), Integer.parseInt(line.substring(tab + 1).strip()));
            }
            catch (NumberFormatException e) {
                throw new InvalidStepParameterException("lexiconPath", "line " + (i + 1) + " of " + pathText + " is not a word, a tab and a whole number: " + line);
            }
        }
        return new Lexicon(scores, Values.sha256(java.nio.ByteBuffer.wrap(bytes)));
    }

    private static int label(Map<String, Object> spec, String name, String field, List<String> labels) {
        Object value = spec.get(name);
        int index = value instanceof String text ? labels.indexOf(text) : -1;
        if (index < 0) {
            throw new InvalidStepParameterException(field + "." + name, "must be one of the labels " + labels + ", was " + value);
        }
        return index;
    }

    /** Where the human labels come from. */
    sealed interface Gold {
        /** The gold label of a row (an index into the labels), or -1. */
        int of(Row row, List<String> labels);

        record None() implements Gold {
            @Override
            public int of(Row row, List<String> labels) {
                return -1;
            }
        }

        record FromColumn(String column) implements Gold {
            @Override
            public int of(Row row, List<String> labels) {
                return row.value(column).map(value -> labels.indexOf(Values.digestText(value))).orElse(-1);
            }
        }

        record FromTable(Map<String, String> byId) implements Gold {
            @Override
            public int of(Row row, List<String> labels) {
                String label = byId.get(row.id());
                return label == null ? -1 : labels.indexOf(label);
            }
        }
    }

    private static Gold gold(Object value, StepContext context, Map<String, String> fingerprint) {
        if (value == null) {
            return new Gold.None();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new InvalidStepParameterException("gold", "must be {\"column\": \"category\"} or {\"table\": \"ns.gold\", \"pin\": \"gold-v1\", \"column\": \"label\"}");
        }
        Map<String, Object> spec = StepParameters.object(map);
        StepParameters.requireOnly(spec, "gold", Set.of("column", "table", "pin"));
        String column = StepParameters.column(spec, "column", "");
        if (column.isEmpty()) {
            throw new InvalidStepParameterException("gold.column", "is required: the column that holds the human label");
        }
        if (spec.get("table") == null && spec.get("pin") == null) {
            fingerprint.put(PREFIX + "gold", "column " + column);
            return new Gold.FromColumn(column);
        }
        if (!(spec.get("table") instanceof String table) || !(spec.get("pin") instanceof String pin)) {
            throw new InvalidStepParameterException("gold", "a gold table needs both table and pin (a pin or snapshot id of that table)");
        }
        StepContext.Labels labels = context.labels(table, pin, column, MAX_GOLD_ROWS).orElseThrow(() -> new InvalidStepParameterException("gold.pin",
                "table " + table + " has no pin or published snapshot '" + pin + "' with a column " + column));
        fingerprint.put(PREFIX + "gold", table + "@" + labels.snapshotId() + " column " + column);
        fingerprint.put(PREFIX + "gold-pin", pin);
        return new Gold.FromTable(labels.byId());
    }

    private record Labeler(List<String> labels, List<LabelingFunction> functions, String modelType, int iterations, Gold gold, boolean drop,
            Map<String, String> fingerprint) implements FittedStep {
        @Override
        public StepId id() {
            return ID;
        }

        @Override
        public String stateName() {
            return "label-" + Values.sha256(java.nio.ByteBuffer.wrap(Values.json(new TreeMap<>(Map.of("functions", names(), "labels", labels,
                    "model", modelType + "/" + iterations, "fingerprint", new TreeMap<>(fingerprint)))).getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        }

        List<String> names() {
            return functions.stream().map(LabelingFunction::name).toList();
        }

        @Override
        public List<Column> reads() {
            List<Column> read = new ArrayList<>();
            functions.stream().filter(function -> function instanceof LabelingFunction.Keywords || function instanceof LabelingFunction.Regex
                    || function instanceof LabelingFunction.Lexicon)
                    .map(LabelingFunction::column).distinct().sorted()
                    .forEach(column -> read.add(Column.string(column, "text a labeling function reads")));
            return read;
        }

        @Override
        public Set<String> readsAnyType() {
            Set<String> read = new TreeSet<>();
            if (gold instanceof Gold.FromColumn column) {
                read.add(column.column());
            }
            functions.stream().filter(function -> function instanceof LabelingFunction.Similarity || function instanceof LabelingFunction.Classifier)
                    .forEach(function -> read.add(function.column()));
            functions.stream().filter(function -> function instanceof LabelingFunction.Predicate).forEach(function -> read.addAll(((LabelingFunction.Predicate) function).columns()));
            return read;
        }

        @Override
        public List<Column> columns() {
            return List.of(
                    Column.optional("label", DataType.STRING, "the label model's label; absent when every labeling function abstained"),
                    Column.optional("label_confidence", DataType.DOUBLE, "the label model's probability of its label"),
                    Column.intList("label_votes", "each labeling function's vote (the index of its label, -1 to abstain), functions in id order"));
        }

        int[] votes(Row row) {
            int[] votes = new int[functions.size()];
            for (int i = 0; i < votes.length; i++) {
                votes[i] = functions.get(i).vote(row);
            }
            return votes;
        }

        /** The votes, then the gold label. */
        @Override
        public Object observe(Row row) {
            int[] votes = votes(row);
            int[] observed = java.util.Arrays.copyOf(votes, votes.length + 1);
            observed[votes.length] = gold.of(row, labels);
            return observed;
        }

        @Override
        public Fit newFit() {
            return new LabelFit(this);
        }
    }

    private static final class LabelFit implements FittedStep.Fit {
        private final Labeler step;
        private final VoteCounts counts;
        private LabelModel model;
        private LabelEvaluation evaluation;
        private Map<String, Object> evaluationMap;

        LabelFit(Labeler step) {
            this.step = step;
            this.counts = new VoteCounts(step.functions().size(), step.labels().size());
        }

        @Override
        public void loadHistory(InputStream states) {
            // a job fits its own model; earlier states are records
        }

        @Override
        public void add(long occurrence, String id, Object observation) {
            int[] observed = (int[]) observation;
            counts.add(java.util.Arrays.copyOf(observed, observed.length - 1), observed[observed.length - 1]);
        }

        @Override
        public void fit() {
            model = switch (step.modelType()) {
                case "dawid-skene" -> DawidSkene.fit(counts, step.iterations(), DawidSkene.DEFAULT_SMOOTHING);
                case "weighted" -> WeightedVote.fit(counts);
                default -> new MajorityVote(step.labels().size());
            };
            evaluation = LabelEvaluation.of(counts, model);
            evaluationMap = evaluation.toMap(step.names(), step.labels());
        }

        @Override
        public Outcome apply(long occurrence, Row row) {
            int[] votes = step.votes(row);
            LabelModel.Prediction prediction = model.predict(votes);
            List<Integer> voteList = new ArrayList<>(votes.length);
            for (int vote : votes) {
                voteList.add(vote);
            }
            if (prediction.label() < 0) {
                if (step.drop()) {
                    return Outcome.drop(ID, "unlabeled", "every labeling function abstained");
                }
                Map<String, Object> columns = new LinkedHashMap<>();
                columns.put("label", null);
                columns.put("label_confidence", null);
                columns.put("label_votes", voteList);
                return Outcome.emit(row.with(columns));
            }
            return Outcome.emit(row.with(Map.of("label", step.labels().get(prediction.label()), "label_confidence", prediction.confidence(), "label_votes", voteList)));
        }

        @Override
        public void writeState(OutputStream out) throws IOException {
            Map<String, Object> state = new TreeMap<>();
            state.put("functions", step.names());
            state.put("labels", step.labels());
            state.put("model", model.describe());
            state.put("evaluation", evaluationMap);
            out.write(Values.json(state).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public long estimatedBytes() {
            return 64L * counts.patterns().size() * (step.functions().size() + 4);
        }

        @Override
        public Map<String, String> summary() {
            Map<String, String> summary = new TreeMap<>();
            summary.put(PREFIX + "functions", String.join(",", step.names()));
            summary.put(PREFIX + "labels", Values.json(step.labels()));
            summary.put(PREFIX + "model", step.modelType().equals("dawid-skene") ? "dawid-skene/" + step.iterations() : step.modelType());
            summary.put(PREFIX + "coverage", Values.digestText(evaluation.model().coverage()));
            if (evaluation.goldRows() > 0) {
                evaluation.model().accuracy().ifPresent(accuracy -> summary.put(PREFIX + "accuracy", Values.digestText(accuracy)));
                summary.put(PREFIX + "macro-f1", Values.digestText(evaluation.model().macroF1()));
            }
            summary.put(PREFIX + "gold-rows", Long.toString(evaluation.goldRows()));
            summary.put(EVALUATION, Values.json(evaluationMap));
            return summary;
        }
    }
}
