package io.kiln.transform.privacy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

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
 * {@code anonymize}: gives each column a privacy role and makes the job's rows k-anonymous (and
 * optionally l-diverse) before they are written.
 *
 * <ul>
 *   <li>{@code identifier}: dropped from the table ({@code "action": "drop"}, the default), or replaced
 *       by a pseudonym ({@code "action": "pseudonymize"}): the hex HMAC-SHA256 of the value's text
 *       under the key configured as {@code kiln.privacy.keys.<keyId>}. The same key and value give the
 *       same pseudonym in every table, so joins still work; the key never enters the recipe, only its
 *       id and a check value (an HMAC of a fixed text) that tells keys apart.</li>
 *   <li>{@code quasi-identifier}: generalized along its {@code hierarchy} (intervals, mask, dates,
 *       groups, or an ARX-style CSV file {@code value;level1;...;*}) to the level the search chooses
 *       ({@link Lattice}), and written as text. Rows of classes that still break the model are
 *       rejected as {@code suppressed-for-k} (or {@code suppressed-for-l}), up to
 *       {@code maxSuppression} of the job's rows.</li>
 *   <li>{@code sensitive}: kept; the column of the optional l-diversity ({@code diversity}).</li>
 *   <li>{@code insensitive}: kept as is (the default of every column not listed).</li>
 * </ul>
 *
 * <p>The model holds for the job's rows; the table as a whole is checked by the suite rules
 * {@code KAnonymity} and {@code LDiversity} on the staged snapshot, since an append can shrink a
 * class. {@code levels} fixes the levels instead of searching; {@code levelsFrom} (a pin or snapshot
 * id of the table) reuses the levels that snapshot's job chose, so a new batch is generalized the
 * same way.
 */
public final class AnonymizeStep implements StepDefinition {
    public static final String NAME = "anonymize";
    private static final StepId ID = new StepId(NAME, 1);
    static final String SUMMARY_PREFIX = "kiln.privacy.";
    public static final String LEVELS = SUMMARY_PREFIX + "levels";
    public static final String QUASI_IDENTIFIERS = SUMMARY_PREFIX + "quasi-identifiers";
    private static final int MINIMUM_KEY_BYTES = 16;
    private static final Set<String> ROLES = Set.of("identifier", "quasi-identifier", "sensitive", "insensitive");

    @Override
    public StepId id() {
        return ID;
    }

    @Override
    public Transform bind(Map<String, Object> parameters, StepContext context) {
        StepParameters.requireOnly(parameters, Set.of("columns", "k", "diversity", "maxSuppression", "keyId", "levels", "levelsFrom"));
        if (!(parameters.get("columns") instanceof Map<?, ?> columns) || columns.isEmpty()) {
            throw new InvalidStepParameterException("columns", "is required: an object that gives columns their role, e.g. "
                    + "{\"name\": {\"role\": \"identifier\"}, \"age\": {\"role\": \"quasi-identifier\", \"hierarchy\": {\"type\": \"intervals\", \"width\": 10}}}");
        }
        TreeMap<String, Hierarchy> quasiIdentifiers = new TreeMap<>();
        TreeSet<String> dropped = new TreeSet<>();
        TreeSet<String> pseudonymized = new TreeSet<>();
        TreeSet<String> sensitive = new TreeSet<>();
        for (Map.Entry<?, ?> entry : new TreeMap<>(columns).entrySet()) {
            String name = String.valueOf(entry.getKey());
            String field = "columns." + name;
            if (!Column.isValidName(name)) {
                throw new InvalidStepParameterException(field, "must name a column (lower snake case)");
            }
            if (!(entry.getValue() instanceof Map<?, ?> spec)) {
                throw new InvalidStepParameterException(field, "must be an object with a role, was " + entry.getValue());
            }
            Map<String, Object> column = StepParameters.object(spec);
            String role = StepParameters.oneOf(column, "role", null, ROLES);
            if (role == null) {
                throw new InvalidStepParameterException(field + ".role", "is required: one of " + String.join(", ", new TreeSet<>(ROLES)));
            }
            switch (role) {
                case "identifier" -> {
                    StepParameters.requireOnly(column, field, Set.of("role", "action"));
                    if ("pseudonymize".equals(StepParameters.oneOf(column, "action", "drop", Set.of("drop", "pseudonymize")))) {
                        pseudonymized.add(name);
                    }
                    else {
                        dropped.add(name);
                    }
                }
                case "quasi-identifier" -> {
                    StepParameters.requireOnly(column, field, Set.of("role", "hierarchy"));
                    quasiIdentifiers.put(name, hierarchy(column.get("hierarchy"), field + ".hierarchy"));
                }
                case "sensitive" -> {
                    StepParameters.requireOnly(column, field, Set.of("role"));
                    sensitive.add(name);
                }
                default -> StepParameters.requireOnly(column, field, Set.of("role"));
            }
        }
        if (quasiIdentifiers.isEmpty()) {
            throw new InvalidStepParameterException("columns", "names no quasi-identifier: k-anonymity needs at least one column with role quasi-identifier");
        }
        int k = StepParameters.integer(parameters, "k", -1, 1, 1_000_000);
        if (k < 0) {
            throw new InvalidStepParameterException("k", "is required: the least number of rows that share each combination of quasi-identifiers");
        }
        Optional<PrivacyModel.Diversity> diversity = diversity(parameters.get("diversity"), sensitive);
        double maxSuppression = StepParameters.number(parameters, "maxSuppression", 0, 0, 1);
        PrivacyModel model = new PrivacyModel(k, diversity, maxSuppression);

        Map<String, String> fingerprint = new TreeMap<>();
        Map<String, Object> hierarchies = new TreeMap<>();
        quasiIdentifiers.forEach((name, hierarchy) -> hierarchies.put(name, hierarchy.describe()));
        fingerprint.put("hierarchies", Values.json(hierarchies));

        Optional<Pseudonyms> pseudonyms = Optional.empty();
        Object keyId = parameters.get("keyId");
        if (!pseudonymized.isEmpty()) {
            if (!(keyId instanceof String id) || !id.matches("[a-z0-9][a-z0-9_-]{0,63}")) {
                throw new InvalidStepParameterException("keyId", keyId == null
                        ? "is required to pseudonymize " + String.join(", ", pseudonymized) + ": the id of a key configured as kiln.privacy.keys.<keyId>"
                        : "must be a key id (lower-case letters, digits, - and _), was " + keyId);
            }
            byte[] key = context.secretKey(id).orElseThrow(() -> new InvalidStepParameterException("keyId",
                    "no key is configured as kiln.privacy.keys." + id + " (environment variable KILN_PRIVACY_KEYS_" + id.toUpperCase(java.util.Locale.ROOT).replace('-', '_') + ")"));
            if (key.length < MINIMUM_KEY_BYTES) {
                throw new InvalidStepParameterException("keyId", "the key kiln.privacy.keys." + id + " is too short: at least " + MINIMUM_KEY_BYTES + " bytes");
            }
            pseudonyms = Optional.of(new Pseudonyms(key));
            fingerprint.put(SUMMARY_PREFIX + "key-id", id);
            fingerprint.put(SUMMARY_PREFIX + "key-check", pseudonyms.get().check());
        }
        else if (keyId != null) {
            throw new InvalidStepParameterException("keyId", "applies only when an identifier has action pseudonymize");
        }

        List<String> names = List.copyOf(quasiIdentifiers.keySet());
        Optional<List<Integer>> levels = Optional.empty();
        if (parameters.get("levels") != null && parameters.get("levelsFrom") != null) {
            throw new InvalidStepParameterException("levelsFrom", "give levels or levelsFrom, not both");
        }
        if (parameters.get("levels") != null) {
            levels = Optional.of(levels(parameters.get("levels"), quasiIdentifiers, "levels"));
        }
        else if (parameters.get("levelsFrom") != null) {
            if (!(parameters.get("levelsFrom") instanceof String reference) || reference.isBlank()) {
                throw new InvalidStepParameterException("levelsFrom", "must be a pin of the table or a snapshot id, was " + parameters.get("levelsFrom"));
            }
            Map<String, String> summary = context.publishedSummary(reference).orElseThrow(() -> new InvalidStepParameterException("levelsFrom",
                    "the table has no pin or published snapshot '" + reference + "'"));
            String chosen = summary.get(LEVELS);
            if (chosen == null) {
                throw new InvalidStepParameterException("levelsFrom", "snapshot '" + reference + "' was not written by an anonymize step: its summary has no " + LEVELS);
            }
            levels = Optional.of(levels(parseObject(chosen), quasiIdentifiers, "levelsFrom"));
            fingerprint.put(SUMMARY_PREFIX + "levels-from", reference);
        }
        levels.ifPresent(fixed -> fingerprint.put("levels", fixed.toString()));
        return new Anonymize(names, List.copyOf(quasiIdentifiers.values()), model, dropped, pseudonymized, pseudonyms, levels, java.util.Collections.unmodifiableMap(new TreeMap<>(fingerprint)));
    }

    private static Map<?, ?> parseObject(String json) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readValue(json, Map.class);
        }
        catch (IOException e) {
            throw new InvalidStepParameterException("levelsFrom", "the snapshot's " + LEVELS + " is not a JSON object: " + json);
        }
    }

    private static List<Integer> levels(Object value, Map<String, Hierarchy> quasiIdentifiers, String field) {
        if (!(value instanceof Map<?, ?> given)) {
            throw new InvalidStepParameterException(field, "must be an object of one level per quasi-identifier, e.g. {\"age\": 1}, was " + value);
        }
        List<Integer> levels = new ArrayList<>();
        for (Map.Entry<String, Hierarchy> entry : quasiIdentifiers.entrySet()) {
            Object level = given.get(entry.getKey());
            int top = entry.getValue().height() - 1;
            if (!(level instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue()) || number.intValue() < 0 || number.intValue() > top) {
                throw new InvalidStepParameterException(field, "needs a level from 0 to " + top + " for quasi-identifier " + entry.getKey() + ", has " + level);
            }
            levels.add(number.intValue());
        }
        for (Object name : given.keySet()) {
            if (!quasiIdentifiers.containsKey(String.valueOf(name))) {
                throw new InvalidStepParameterException(field, "names " + name + ", which is not a quasi-identifier of this step");
            }
        }
        return List.copyOf(levels);
    }

    private static Optional<PrivacyModel.Diversity> diversity(Object value, Set<String> sensitive) {
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof Map<?, ?> spec)) {
            throw new InvalidStepParameterException("diversity", "must be an object such as {\"column\": \"diagnosis\", \"l\": 2, \"kind\": \"distinct\"}, was " + value);
        }
        Map<String, Object> diversity = StepParameters.object(spec);
        StepParameters.requireOnly(diversity, "diversity", Set.of("column", "l", "kind"));
        String column = StepParameters.column(diversity, "column", "");
        if (!sensitive.contains(column)) {
            throw new InvalidStepParameterException("diversity.column", "must name a column with role sensitive, was " + (column.isEmpty() ? "missing" : column));
        }
        String kind = StepParameters.oneOf(diversity, "kind", "distinct", Set.of("distinct", "entropy"));
        double l = StepParameters.number(diversity, "l", -1, 1, 1_000_000);
        if (l < 1) {
            throw new InvalidStepParameterException("diversity.l", "is required: the least diversity of " + column + " in each class (2 or more)");
        }
        if (kind.equals("distinct") && l != Math.rint(l)) {
            throw new InvalidStepParameterException("diversity.l", "must be a whole number for distinct l-diversity, was " + l);
        }
        return Optional.of(new PrivacyModel.Diversity(column, kind.equals("distinct") ? PrivacyModel.Diversity.Kind.DISTINCT : PrivacyModel.Diversity.Kind.ENTROPY, l));
    }

    static Hierarchy hierarchy(Object value, String field) {
        if (!(value instanceof Map<?, ?> spec)) {
            throw new InvalidStepParameterException(field, "is required for a quasi-identifier: an object with a type (intervals, mask, dates, groups, csv), was " + value);
        }
        Map<String, Object> hierarchy = StepParameters.object(spec);
        String type = StepParameters.oneOf(hierarchy, "type", null, Set.of("intervals", "mask", "dates", "groups", "csv"));
        if (type == null) {
            throw new InvalidStepParameterException(field + ".type", "is required: one of intervals, mask, dates, groups, csv");
        }
        try {
            return switch (type) {
                case "intervals" -> {
                    StepParameters.requireOnly(hierarchy, field, Set.of("type", "width", "fanout", "levels"));
                    if (!(hierarchy.get("width") instanceof Number width) || !(width.doubleValue() > 0) || !Double.isFinite(width.doubleValue())) {
                        throw new InvalidStepParameterException(field + ".width", "is required: the width of the first level's intervals, a number above 0");
                    }
                    yield new Hierarchy.Intervals(new BigDecimal(width.toString()), StepParameters.integer(hierarchy, "fanout", 2, 2, 1000),
                            StepParameters.integer(hierarchy, "levels", 3, 1, 20));
                }
                case "mask" -> {
                    StepParameters.requireOnly(hierarchy, field, Set.of("type", "levels"));
                    yield new Hierarchy.Mask(StepParameters.integer(hierarchy, "levels", 5, 1, 64));
                }
                case "dates" -> {
                    StepParameters.requireOnly(hierarchy, field, Set.of("type", "units"));
                    List<String> units = StepParameters.strings(hierarchy, "units", Hierarchy.Dates.UNITS);
                    if (units.isEmpty() || !Hierarchy.Dates.UNITS.containsAll(units) || !units.equals(Hierarchy.Dates.UNITS.stream().filter(units::contains).toList())) {
                        throw new InvalidStepParameterException(field + ".units", "must be coarser and coarser units among month, year, decade, was " + units);
                    }
                    yield new Hierarchy.Dates(units);
                }
                case "groups" -> {
                    StepParameters.requireOnly(hierarchy, field, Set.of("type", "levels"));
                    yield groups(hierarchy.get("levels"), field + ".levels");
                }
                default -> {
                    StepParameters.requireOnly(hierarchy, field, Set.of("type", "csvPath", "delimiter"));
                    yield csv(hierarchy, field);
                }
            };
        }
        catch (InvalidStepParameterException e) {
            if (e.parameter().startsWith(field)) {
                throw e;
            }
            throw new InvalidStepParameterException(field + "." + e.parameter(), stripParameter(e.getMessage(), e.parameter()));
        }
    }

    private static String stripParameter(String message, String parameter) {
        return message.startsWith(parameter + ": ") ? message.substring(parameter.length() + 2) : message;
    }

    /** Each level maps every value of the level below to its group; level 0's values are the exact values. */
    private static Hierarchy groups(Object value, String field) {
        if (!(value instanceof List<?> levels) || levels.isEmpty()) {
            throw new InvalidStepParameterException(field, "must be a list of groupings, each an object from a value to its group, e.g. [{\"flu\": \"respiratory\"}, {\"respiratory\": \"illness\"}]");
        }
        List<Map<String, String>> maps = new ArrayList<>();
        for (int i = 0; i < levels.size(); i++) {
            if (!(levels.get(i) instanceof Map<?, ?> grouping) || grouping.isEmpty()) {
                throw new InvalidStepParameterException(field, "level " + (i + 1) + " must be an object from a value to its group");
            }
            Map<String, String> map = new TreeMap<>();
            for (Map.Entry<?, ?> entry : grouping.entrySet()) {
                if (!(entry.getValue() instanceof String group)) {
                    throw new InvalidStepParameterException(field, "level " + (i + 1) + " maps " + entry.getKey() + " to " + entry.getValue() + ", not to a text");
                }
                map.put(String.valueOf(entry.getKey()), group);
            }
            maps.add(map);
        }
        Map<String, List<String>> paths = new TreeMap<>();
        for (String exact : maps.get(0).keySet()) {
            List<String> path = new ArrayList<>(List.of(exact));
            for (int i = 0; i < maps.size(); i++) {
                String group = maps.get(i).get(path.get(path.size() - 1));
                if (group == null) {
                    throw new InvalidStepParameterException(field, "level " + (i + 1) + " does not map " + path.get(path.size() - 1) + " (reached from " + exact + ")");
                }
                path.add(group);
            }
            path.add(Hierarchy.TOP);
            paths.put(exact, path);
        }
        return new Hierarchy.Table(paths, maps.size() + 2, "groups", Values.sha256(java.nio.ByteBuffer.wrap(Values.json(maps).getBytes(StandardCharsets.UTF_8))));
    }

    /** An ARX hierarchy file: one row per exact value, its generalizations to the right, the last {@code *}; no header. */
    private static Hierarchy csv(Map<String, Object> hierarchy, String field) {
        if (!(hierarchy.get("csvPath") instanceof String pathText) || pathText.isBlank()) {
            throw new InvalidStepParameterException(field + ".csvPath", "is required: the hierarchy file (value;level1;...;*), inside the source roots");
        }
        Object delimiterValue = hierarchy.getOrDefault("delimiter", ";");
        if (!(delimiterValue instanceof String delimiter) || delimiter.length() != 1) {
            throw new InvalidStepParameterException(field + ".delimiter", "must be one character, was " + delimiterValue);
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(Path.of(pathText));
        }
        catch (IOException | java.nio.file.InvalidPathException e) {
            throw new InvalidStepParameterException(field + ".csvPath", "the hierarchy file " + pathText + " does not exist or cannot be read");
        }
        Map<String, List<String>> paths = new TreeMap<>();
        int height = -1;
        try (Reader reader = new java.io.StringReader(new String(bytes, StandardCharsets.UTF_8))) {
            for (CSVRecord record : CSVFormat.DEFAULT.builder().setDelimiter(delimiter.charAt(0)).setIgnoreEmptyLines(true).get().parse(reader)) {
                List<String> path = record.toList();
                String where = "line " + record.getRecordNumber() + " of " + pathText;
                if (height < 0) {
                    height = path.size();
                    if (height < 2) {
                        throw new InvalidStepParameterException(field + ".csvPath", where + " has one column: each line needs the value and its generalizations up to *");
                    }
                }
                if (path.size() != height) {
                    throw new InvalidStepParameterException(field + ".csvPath", where + " has " + path.size() + " levels; the first line has " + height);
                }
                if (!Hierarchy.TOP.equals(path.get(height - 1))) {
                    throw new InvalidStepParameterException(field + ".csvPath", where + " ends with " + path.get(height - 1) + ", not *: the last level must say nothing");
                }
                if (paths.putIfAbsent(path.get(0), List.copyOf(path)) != null) {
                    throw new InvalidStepParameterException(field + ".csvPath", where + " lists " + path.get(0) + " again");
                }
            }
        }
        catch (IOException | java.io.UncheckedIOException | IllegalStateException e) {
            throw new InvalidStepParameterException(field + ".csvPath", "the hierarchy file " + pathText + " is not valid CSV: " + e.getMessage());
        }
        if (paths.isEmpty()) {
            throw new InvalidStepParameterException(field + ".csvPath", "the hierarchy file " + pathText + " is empty");
        }
        return new Hierarchy.Table(paths, height, "csv", Values.sha256(java.nio.ByteBuffer.wrap(bytes)));
    }

    /** HMAC-SHA256 under one key; a Mac per thread. */
    static final class Pseudonyms {
        private final SecretKeySpec key;
        private final ThreadLocal<Mac> macs;

        Pseudonyms(byte[] key) {
            this.key = new SecretKeySpec(key, "HmacSHA256");
            this.macs = ThreadLocal.withInitial(() -> {
                try {
                    Mac mac = Mac.getInstance("HmacSHA256");
                    mac.init(this.key);
                    return mac;
                }
                catch (GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
            });
        }

        String of(Object value) {
            return HexFormat.of().formatHex(macs.get().doFinal(Values.digestText(value).getBytes(StandardCharsets.UTF_8)));
        }

        /** Tells keys apart without revealing them. */
        String check() {
            return of("kiln.privacy.key-check").substring(0, 16);
        }

        @Override
        public String toString() {
            return "Pseudonyms[key hidden]";
        }
    }

    private record Anonymize(List<String> names, List<Hierarchy> hierarchies, PrivacyModel model, Set<String> dropped, Set<String> pseudonymized,
            Optional<Pseudonyms> pseudonyms, Optional<List<Integer>> levels, Map<String, String> fingerprint) implements FittedStep {
        @Override
        public StepId id() {
            return ID;
        }

        @Override
        public String toString() {
            return "anonymize" + names;
        }

        @Override
        public String stateName() {
            return "anonymize-" + Values.sha256(java.nio.ByteBuffer.wrap(Values.json(new TreeMap<>(fingerprint)).getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        }

        @Override
        public Set<String> readsAnyType() {
            Set<String> read = new TreeSet<>(names);
            read.addAll(dropped);
            read.addAll(pseudonymized);
            model.diversity().ifPresent(diversity -> read.add(diversity.column()));
            return read;
        }

        @Override
        public List<Column> columns() {
            List<Column> columns = new ArrayList<>();
            for (String name : names) {
                columns.add(Column.optional(name, DataType.STRING, "quasi-identifier, generalized by anonymize"));
            }
            for (String name : pseudonymized) {
                columns.add(Column.optional(name, DataType.STRING, "identifier, pseudonymized by anonymize (HMAC-SHA256)"));
            }
            return columns;
        }

        @Override
        public Set<String> removes() {
            return dropped;
        }

        /** The exact quasi-identifier values and the sensitive value, or null for a row a hierarchy cannot place (apply rejects it). */
        @Override
        public Object observe(Row row) {
            Object[] observed = new Object[names.size() + 1];
            for (int i = 0; i < names.size(); i++) {
                Object value = row.value(names.get(i)).orElse(null);
                if (!hierarchies.get(i).places(value)) {
                    return null;
                }
                observed[i] = value;
            }
            observed[names.size()] = model.diversity().flatMap(diversity -> row.value(diversity.column())).map(Values::digestText).orElse(null);
            return observed;
        }

        @Override
        public Fit newFit() {
            return new AnonymizeFit(this);
        }
    }

    private static final class AnonymizeFit implements FittedStep.Fit {
        private final Anonymize step;
        private final Lattice lattice;
        private Lattice.Result result;

        AnonymizeFit(Anonymize step) {
            this.step = step;
            this.lattice = new Lattice(step.names(), step.hierarchies(), step.model());
        }

        @Override
        public void loadHistory(InputStream states) {
            // each job chooses its own levels (or reuses a pin's through levelsFrom); earlier states are records, not input
        }

        @Override
        public void add(long occurrence, String id, Object observation) {
            Object[] observed = (Object[]) observation;
            lattice.add(java.util.Arrays.copyOf(observed, observed.length - 1), observed[observed.length - 1]);
        }

        @Override
        public void fit() {
            result = step.levels().isPresent() ? lattice.apply(step.levels().get()) : lattice.search();
        }

        @Override
        public Outcome apply(long occurrence, Row row) {
            String[] generalized = new String[step.names().size()];
            Map<String, Object> changed = new LinkedHashMap<>();
            for (int i = 0; i < generalized.length; i++) {
                String name = step.names().get(i);
                Object value = row.value(name).orElse(null);
                Hierarchy hierarchy = step.hierarchies().get(i);
                if (!hierarchy.places(value)) {
                    return Outcome.drop(ID, "privacy-hierarchy-missing", "the hierarchy of quasi-identifier " + name + " cannot place its value");
                }
                generalized[i] = hierarchy.generalize(value, result.levels().get(i));
                changed.put(name, generalized[i]);
            }
            String suppressed = result.suppressedClasses().get(java.util.Arrays.asList(generalized));
            if (suppressed != null) {
                return Outcome.drop(ID, suppressed, suppressed.equals("suppressed-for-k")
                        ? "its class of quasi-identifiers has fewer than " + step.model().k() + " rows at the chosen levels"
                        : "its class is not " + step.model().diversity().map(diversity -> diversity.l() + "-diverse in " + diversity.column()).orElse("diverse"));
            }
            for (String name : step.pseudonymized()) {
                changed.put(name, row.value(name).map(value -> step.pseudonyms().orElseThrow().of(value)).orElse(null));
            }
            return Outcome.emit(row.without(step.dropped()).with(changed));
        }

        @Override
        public void writeState(OutputStream out) throws IOException {
            out.write(Values.json(state()).getBytes(StandardCharsets.UTF_8));
        }

        private Map<String, Object> state() {
            Map<String, Object> state = new TreeMap<>();
            state.put("levels", result.levelsByName(step.names()));
            state.put("k", step.model().k());
            step.model().diversity().ifPresent(diversity -> state.put("diversity", Map.of("column", diversity.column(),
                    "kind", diversity.kind().name().toLowerCase(java.util.Locale.ROOT), "l", diversity.l())));
            state.put("maxSuppression", step.model().maxSuppression());
            state.put("rows", lattice.rows());
            state.put("suppressedRows", result.suppressedRows());
            state.put("satisfied", result.satisfied());
            state.put("classes", result.classes());
            state.put("smallestClass", result.smallestClass());
            state.put("loss", result.loss());
            state.put("lossFraction", result.lossNumerator() + "/" + result.lossDenominator());
            state.put("latticeSize", result.nodes());
            state.put("nodesEvaluated", result.evaluated());
            return state;
        }

        @Override
        public long estimatedBytes() {
            return lattice.estimatedBytes();
        }

        @Override
        public Map<String, String> summary() {
            Map<String, String> summary = new TreeMap<>();
            summary.put(QUASI_IDENTIFIERS, String.join(",", step.names()));
            summary.put(LEVELS, Values.json(result.levelsByName(step.names())));
            summary.put(SUMMARY_PREFIX + "k", Integer.toString(step.model().k()));
            step.model().diversity().ifPresent(diversity -> summary.put(SUMMARY_PREFIX + "l-diversity",
                    diversity.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + diversity.column() + " " + Values.digestText(diversity.l())));
            summary.put(SUMMARY_PREFIX + "max-suppression", Values.digestText(step.model().maxSuppression()));
            summary.put(SUMMARY_PREFIX + "suppressed-rows", Long.toString(result.suppressedRows()));
            summary.put(SUMMARY_PREFIX + "satisfied", Boolean.toString(result.satisfied()));
            summary.put(SUMMARY_PREFIX + "classes", Long.toString(result.classes()));
            summary.put(SUMMARY_PREFIX + "smallest-class", Long.toString(result.smallestClass()));
            summary.put(SUMMARY_PREFIX + "loss", Values.digestText(result.loss()));
            summary.put(SUMMARY_PREFIX + "lattice-size", Long.toString(result.nodes()));
            summary.put(SUMMARY_PREFIX + "nodes-evaluated", Long.toString(result.evaluated()));
            return summary;
        }
    }
}
