package io.kiln.transform.label;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.kiln.transform.Row;

/**
 * One labeling function: it votes a label (an index into the step's labels) for a row, or abstains
 * (-1). Pure, deterministic and thread-safe. A function is known by its id and version; its whole
 * definition is in the recipe.
 */
public sealed interface LabelingFunction {
    int ABSTAIN = -1;

    String id();

    int version();

    /** The column it reads. */
    String column();

    int vote(Row row);

    /** {@code id@version}, as the summary and the votes' order name it. */
    default String name() {
        return id() + "@" + version();
    }

    /**
     * Votes {@code label} when the row's values satisfy {@code where}, a condition on any of its columns in
     * the rows endpoint's filter language ({@code stars >= 4 and verified = true}); {@link #column()} is the
     * first column it reads.
     */
    record Predicate(String id, int version, String where, List<String> columns, java.util.function.Predicate<java.util.function.Function<String, Object>> test,
            int label) implements LabelingFunction {
        public Predicate {
            requireNonNull(id, "id is null");
            requireNonNull(where, "where is null");
            columns = List.copyOf(columns);
            requireNonNull(test, "test is null");
        }

        @Override
        public String column() {
            return columns.get(0);
        }

        @Override
        public int vote(Row row) {
            return test.test(name -> row.value(name).orElse(null)) ? label : ABSTAIN;
        }
    }

    /**
     * Votes for the class an ONNX classifier gives the row's vector ({@code column}, a float list), when
     * its probability is at least {@code minProbability}; abstains otherwise, for a class mapped to no
     * label, and for a row without a vector of the model's dimension. {@code labelOfClass}: the step's
     * label index of each of the model's output classes (-1: none). The model runs on the CPU, one row at
     * a time, so a vote depends on the row alone; the recipe records the model's sha256.
     */
    record Classifier(String id, int version, String column, String sha256, ai.onnxruntime.OrtSession session, String input, int dimension,
            int[] labelOfClass, double minProbability) implements LabelingFunction {
        public Classifier {
            requireNonNull(id, "id is null");
            requireNonNull(session, "session is null");
            labelOfClass = labelOfClass.clone();
        }

        @Override
        public int vote(Row row) {
            double[] vector = Similarity.vector(row.value(column).orElse(null));
            if (vector == null || vector.length != dimension) {
                return ABSTAIN;
            }
            float[][] batch = new float[1][dimension];
            for (int i = 0; i < dimension; i++) {
                batch[0][i] = (float) vector[i];
            }
            ai.onnxruntime.OrtEnvironment environment = io.kiln.embed.OrtRuntime.get().environment();
            try (ai.onnxruntime.OnnxTensor tensor = ai.onnxruntime.OnnxTensor.createTensor(environment, batch);
                    ai.onnxruntime.OrtSession.Result result = session.run(java.util.Map.of(input, tensor))) {
                float[] probabilities = ((float[][]) result.get(0).getValue())[0];
                int best = 0;
                for (int i = 1; i < probabilities.length; i++) {
                    if (probabilities[i] > probabilities[best]) {
                        best = i;
                    }
                }
                return best < labelOfClass.length && probabilities[best] >= minProbability ? labelOfClass[best] : ABSTAIN;
            }
            catch (ai.onnxruntime.OrtException e) {
                throw new IllegalStateException("classifier " + id + " failed on row " + row.id() + ": " + e.getMessage(), e);
            }
        }
    }

    /** Votes {@code label} when the column's text contains one of the words or phrases, matched as whole words. */
    record Keywords(String id, int version, String column, List<String> keywords, boolean caseSensitive, int label, Pattern pattern) implements LabelingFunction {
        public Keywords {
            requireNonNull(id, "id is null");
            requireNonNull(column, "column is null");
            keywords = List.copyOf(keywords);
            requireNonNull(pattern, "pattern is null");
        }

        public static Keywords of(String id, int version, String column, List<String> keywords, boolean caseSensitive, int label) {
            StringBuilder alternatives = new StringBuilder();
            keywords.stream().sorted().forEach(keyword -> alternatives.append(alternatives.length() == 0 ? "" : "|").append(Pattern.quote(keyword)));
            int flags = Pattern.UNICODE_CHARACTER_CLASS | (caseSensitive ? 0 : Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
            return new Keywords(id, version, column, keywords, caseSensitive, label, Pattern.compile("(?<![\\w])(?:" + alternatives + ")(?![\\w])", flags));
        }

        @Override
        public int vote(Row row) {
            return row.string(column).filter(text -> pattern.matcher(text).find()).map(text -> label).orElse(ABSTAIN);
        }
    }

    /** Votes {@code label} when the regular expression finds a match in the column's text. */
    record Regex(String id, int version, String column, Pattern pattern, int label) implements LabelingFunction {
        public Regex {
            requireNonNull(id, "id is null");
            requireNonNull(column, "column is null");
            requireNonNull(pattern, "pattern is null");
        }

        @Override
        public int vote(Row row) {
            return row.string(column).filter(text -> pattern.matcher(text).find()).map(text -> label).orElse(ABSTAIN);
        }
    }

    /**
     * Votes {@code label} when the row's vector (a float list column, such as an embedding) has a cosine
     * similarity of at least {@code threshold} to one of the seed vectors (labelled examples). Exact:
     * every seed is compared, in double precision, in the seeds' order.
     *
     * @param seeds unit vectors
     */
    record Similarity(String id, int version, String column, double[][] seeds, double threshold, int label) implements LabelingFunction {
        public Similarity {
            requireNonNull(id, "id is null");
            requireNonNull(column, "column is null");
            requireNonNull(seeds, "seeds is null");
        }

        /** {@code vector} scaled to length 1, or null for a zero, non-finite or missing vector. */
        public static double[] unit(Object value) {
            double[] vector = vector(value);
            if (vector == null) {
                return null;
            }
            double norm = 0;
            for (double element : vector) {
                norm += element * element;
            }
            norm = Math.sqrt(norm);
            if (!(norm > 0) || !Double.isFinite(norm)) {
                return null;
            }
            for (int i = 0; i < vector.length; i++) {
                vector[i] /= norm;
            }
            return vector;
        }

        /** A row's vector (a float[] or a list of numbers) as doubles; null when it is not one. */
        static double[] vector(Object value) {
            double[] vector;
            if (value instanceof float[] floats) {
                vector = new double[floats.length];
                for (int i = 0; i < floats.length; i++) {
                    vector[i] = floats[i];
                }
            }
            else if (value instanceof List<?> list) {
                vector = new double[list.size()];
                for (int i = 0; i < vector.length; i++) {
                    if (!(list.get(i) instanceof Number number)) {
                        return null;
                    }
                    vector[i] = number.doubleValue();
                }
            }
            else {
                return null;
            }
            return vector;
        }

        @Override
        public int vote(Row row) {
            double[] vector = unit(row.value(column).orElse(null));
            if (vector == null) {
                return ABSTAIN;
            }
            for (double[] seed : seeds) {
                if (seed.length != vector.length) {
                    continue;
                }
                double dot = 0;
                for (int i = 0; i < seed.length; i++) {
                    dot += seed[i] * vector[i];
                }
                if (dot >= threshold) {
                    return label;
                }
            }
            return ABSTAIN;
        }
    }

    /**
     * Sums the scores of the column's words (lower-cased; letters, digits and apostrophes) in a word
     * list, as AFINN scores sentiment, and votes {@code label} when the sum is at least {@code atLeast}
     * (or, with {@code atMost}, at most it).
     */
    record Lexicon(String id, int version, String column, Map<String, Integer> scores, String sha256, boolean atLeast, long threshold, int label) implements LabelingFunction {
        private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}']+");

        public Lexicon {
            requireNonNull(id, "id is null");
            requireNonNull(column, "column is null");
            scores = Map.copyOf(scores);
            requireNonNull(sha256, "sha256 is null");
        }

        /** The sum of the scores of the words of {@code text}: a whole number, exact whatever the order. */
        public long score(String text) {
            long score = 0;
            Matcher words = WORD.matcher(text.toLowerCase(java.util.Locale.ROOT));
            while (words.find()) {
                Integer value = scores.get(words.group());
                if (value != null) {
                    score += value;
                }
            }
            return score;
        }

        @Override
        public int vote(Row row) {
            return row.string(column).filter(text -> atLeast ? score(text) >= threshold : score(text) <= threshold).map(text -> label).orElse(ABSTAIN);
        }
    }
}
