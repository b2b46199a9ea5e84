package io.kiln.transform.label;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * How the labeling functions and a label model did on a set of rows: computed over the distinct vote
 * patterns of a {@link VoteCounts}, weighted by their counts. Shares of rows are 0 when there are no
 * rows; scores against gold labels use only the rows that have one.
 *
 * <p>Immutable and thread-safe; {@link #of} is deterministic (counts are exact, every ratio is
 * computed from them in a fixed order).
 *
 * @param rows the number of rows
 * @param goldRows the number of rows with a gold label
 * @param functions one per labeling function, in canonical order
 */
public record LabelEvaluation(long rows, long goldRows, List<FunctionEvaluation> functions, ModelEvaluation model) {
    public LabelEvaluation {
        functions = List.copyOf(requireNonNull(functions, "functions is null"));
        requireNonNull(model, "model is null");
        if (rows < 0 || goldRows < 0 || goldRows > rows) {
            throw new IllegalArgumentException("rows and goldRows must satisfy 0 <= goldRows <= rows, were " + rows + " and " + goldRows);
        }
    }

    /**
     * One labeling function.
     *
     * @param coverage the share of rows on which it votes
     * @param overlap the share of rows on which it votes and at least one other function votes
     * @param conflict the share of rows on which it votes and another function votes a different label
     * @param accuracy right / goldVotes; empty when it voted on no gold row
     * @param goldVotes the number of gold rows on which it votes
     */
    public record FunctionEvaluation(double coverage, double overlap, double conflict, OptionalDouble accuracy, long goldVotes) {
        public FunctionEvaluation {
            requireNonNull(accuracy, "accuracy is null");
        }
    }

    /**
     * The scores of one label over the gold rows; each is 0 where it is undefined (0 / 0).
     *
     * @param precision the share of the gold rows predicted this label whose gold label is this label
     * @param recall the share of the gold rows of this label predicted this label (rows left without a label count as missed)
     * @param f1 the harmonic mean of precision and recall
     * @param support the number of gold rows of this label
     */
    public record LabelScores(double precision, double recall, double f1, long support) {}

    /**
     * The label model.
     *
     * @param coverage the share of rows that get a label
     * @param accuracy right / the gold rows that get a label; empty when none does
     * @param labels the scores of each label, in label order
     * @param macroPrecision the mean of the precisions of all labels
     * @param macroRecall the mean of the recalls of all labels
     * @param macroF1 the mean of the F1 scores of all labels
     * @param confusion rows of gold rows per gold label; in each, the count per predicted label, then the count left without a label
     */
    public record ModelEvaluation(double coverage, OptionalDouble accuracy, List<LabelScores> labels, double macroPrecision,
            double macroRecall, double macroF1, List<List<Long>> confusion) {
        public ModelEvaluation {
            requireNonNull(accuracy, "accuracy is null");
            labels = List.copyOf(requireNonNull(labels, "labels is null"));
            List<List<Long>> copy = new ArrayList<>();
            for (List<Long> row : requireNonNull(confusion, "confusion is null")) {
                if (row.size() != labels.size() + 1) {
                    throw new IllegalArgumentException("each confusion row needs " + (labels.size() + 1) + " columns, got " + row.size());
                }
                copy.add(List.copyOf(row));
            }
            if (copy.size() != labels.size()) {
                throw new IllegalArgumentException("confusion needs " + labels.size() + " rows, got " + copy.size());
            }
            confusion = List.copyOf(copy);
        }

        /** The number of gold rows of label {@code gold} predicted {@code predicted}, or left without a label for {@value VoteCounts#ABSTAIN}. */
        public long confusion(int gold, int predicted) {
            int size = labels.size();
            if (gold < 0 || gold >= size || predicted < VoteCounts.ABSTAIN || predicted >= size) {
                throw new IllegalArgumentException("gold must be from 0 to " + (size - 1) + " and predicted from -1 to " + (size - 1)
                        + ", were " + gold + " and " + predicted);
            }
            return confusion.get(gold).get(predicted == VoteCounts.ABSTAIN ? size : predicted);
        }

        /** A copy of the confusion matrix as {@code long[labels][labels + 1]}: the last column counts the rows left without a label. */
        public long[][] confusionMatrix() {
            long[][] matrix = new long[confusion.size()][];
            for (int gold = 0; gold < matrix.length; gold++) {
                matrix[gold] = confusion.get(gold).stream().mapToLong(Long::longValue).toArray();
            }
            return matrix;
        }
    }

    /**
     * Evaluates the functions whose votes {@code votes} holds and the predictions of {@code model} on them.
     *
     * @throws IllegalArgumentException when the model and the votes do not have the same number of labels
     */
    public static LabelEvaluation of(VoteCounts votes, LabelModel model) {
        requireNonNull(votes, "votes is null");
        requireNonNull(model, "model is null");
        int labels = votes.labels();
        int functions = votes.functions();
        if (model.labels() != labels) {
            throw new IllegalArgumentException("model has " + model.labels() + " labels, the votes " + labels);
        }
        long[] covered = new long[functions];
        long[] overlapped = new long[functions];
        long[] conflicted = new long[functions];
        long[] goldVotes = new long[functions];
        long[] goldRight = new long[functions];
        long labeled = 0;
        long[][] confusion = new long[labels][labels + 1];
        VoteCounts.Pattern previous = null;
        LabelModel.Prediction prediction = null;
        for (VoteCounts.Pattern pattern : votes.patterns()) {
            long count = pattern.count();
            if (previous == null || !pattern.sameVotes(previous)) {
                prediction = model.predict(pattern.votes());
            }
            previous = pattern;
            int voters = 0;
            boolean[] votedLabels = new boolean[labels];
            int distinctLabels = 0;
            for (int function = 0; function < functions; function++) {
                int vote = pattern.vote(function);
                if (vote != VoteCounts.ABSTAIN) {
                    voters++;
                    if (!votedLabels[vote]) {
                        votedLabels[vote] = true;
                        distinctLabels++;
                    }
                }
            }
            for (int function = 0; function < functions; function++) {
                int vote = pattern.vote(function);
                if (vote == VoteCounts.ABSTAIN) {
                    continue;
                }
                covered[function] += count;
                if (voters > 1) {
                    overlapped[function] += count;
                }
                if (distinctLabels > 1) {
                    conflicted[function] += count;
                }
                if (pattern.hasGold()) {
                    goldVotes[function] += count;
                    if (vote == pattern.gold()) {
                        goldRight[function] += count;
                    }
                }
            }
            if (prediction.hasLabel()) {
                labeled += count;
            }
            if (pattern.hasGold()) {
                confusion[pattern.gold()][prediction.hasLabel() ? prediction.label() : labels] += count;
            }
        }

        long rows = votes.rows();
        List<FunctionEvaluation> functionEvaluations = new ArrayList<>();
        for (int function = 0; function < functions; function++) {
            functionEvaluations.add(new FunctionEvaluation(share(covered[function], rows), share(overlapped[function], rows),
                    share(conflicted[function], rows),
                    goldVotes[function] == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) goldRight[function] / goldVotes[function]),
                    goldVotes[function]));
        }

        List<LabelScores> scores = new ArrayList<>();
        double precisionSum = 0;
        double recallSum = 0;
        double f1Sum = 0;
        long right = 0;
        long labeledGold = 0;
        for (int label = 0; label < labels; label++) {
            long truePositives = confusion[label][label];
            long predicted = 0;
            long support = 0;
            for (int other = 0; other < labels; other++) {
                predicted += confusion[other][label];
                labeledGold += confusion[label][other];
            }
            for (int column = 0; column <= labels; column++) {
                support += confusion[label][column];
            }
            double precision = share(truePositives, predicted);
            double recall = share(truePositives, support);
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            scores.add(new LabelScores(precision, recall, f1, support));
            precisionSum += precision;
            recallSum += recall;
            f1Sum += f1;
            right += truePositives;
        }
        List<List<Long>> confusionLists = new ArrayList<>();
        for (long[] row : confusion) {
            List<Long> list = new ArrayList<>();
            for (long value : row) {
                list.add(value);
            }
            confusionLists.add(list);
        }
        ModelEvaluation modelEvaluation = new ModelEvaluation(share(labeled, rows),
                labeledGold == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) right / labeledGold), scores,
                precisionSum / labels, recallSum / labels, f1Sum / labels, confusionLists);
        return new LabelEvaluation(rows, votes.goldRows(), functionEvaluations, modelEvaluation);
    }

    private static double share(long part, long whole) {
        return whole == 0 ? 0 : (double) part / whole;
    }

    /** {@link #toMap(List, List)} with the functions named by their index. */
    public Map<String, Object> toMap(List<String> labelNames) {
        List<String> functionNames = new ArrayList<>();
        for (int function = 0; function < functions.size(); function++) {
            functionNames.add(Integer.toString(function));
        }
        return toMap(functionNames, labelNames);
    }

    /**
     * The evaluation as plain maps, lists, strings, numbers and nulls (an empty accuracy) for JSON:
     * <pre>
     * rows, goldRows,
     * functions: [{function, coverage, overlap, conflict, accuracy, goldVotes}, ...],
     * model: {coverage, accuracy, macroPrecision, macroRecall, macroF1,
     *         labels: [{label, precision, recall, f1, support}, ...],
     *         confusion: [{gold, predicted: {label: count, ...}, noLabel}, ...]}
     * </pre>
     *
     * @param functionNames the names of the functions, in canonical order
     * @param labelNames the names of the labels, in label order, distinct
     */
    public Map<String, Object> toMap(List<String> functionNames, List<String> labelNames) {
        functionNames = List.copyOf(requireNonNull(functionNames, "functionNames is null"));
        labelNames = List.copyOf(requireNonNull(labelNames, "labelNames is null"));
        if (functionNames.size() != functions.size()) {
            throw new IllegalArgumentException("expected " + functions.size() + " function names, got " + functionNames.size());
        }
        if (labelNames.size() != model.labels().size()) {
            throw new IllegalArgumentException("expected " + model.labels().size() + " label names, got " + labelNames.size());
        }
        if (new HashSet<>(labelNames).size() != labelNames.size()) {
            throw new IllegalArgumentException("label names must be distinct, were " + labelNames);
        }
        List<Object> functionMaps = new ArrayList<>();
        for (int function = 0; function < functions.size(); function++) {
            FunctionEvaluation evaluation = functions.get(function);
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("function", functionNames.get(function));
            map.put("coverage", evaluation.coverage());
            map.put("overlap", evaluation.overlap());
            map.put("conflict", evaluation.conflict());
            map.put("accuracy", nullable(evaluation.accuracy()));
            map.put("goldVotes", evaluation.goldVotes());
            functionMaps.add(Collections.unmodifiableMap(map));
        }
        List<Object> labelMaps = new ArrayList<>();
        List<Object> confusionMaps = new ArrayList<>();
        for (int label = 0; label < labelNames.size(); label++) {
            LabelScores scores = model.labels().get(label);
            Map<String, Object> labelMap = new LinkedHashMap<>();
            labelMap.put("label", labelNames.get(label));
            labelMap.put("precision", scores.precision());
            labelMap.put("recall", scores.recall());
            labelMap.put("f1", scores.f1());
            labelMap.put("support", scores.support());
            labelMaps.add(Collections.unmodifiableMap(labelMap));

            Map<String, Object> predicted = new LinkedHashMap<>();
            for (int column = 0; column < labelNames.size(); column++) {
                predicted.put(labelNames.get(column), model.confusion(label, column));
            }
            Map<String, Object> confusionMap = new LinkedHashMap<>();
            confusionMap.put("gold", labelNames.get(label));
            confusionMap.put("predicted", Collections.unmodifiableMap(predicted));
            confusionMap.put("noLabel", model.confusion(label, VoteCounts.ABSTAIN));
            confusionMaps.add(Collections.unmodifiableMap(confusionMap));
        }
        Map<String, Object> modelMap = new LinkedHashMap<>();
        modelMap.put("coverage", model.coverage());
        modelMap.put("accuracy", nullable(model.accuracy()));
        modelMap.put("macroPrecision", model.macroPrecision());
        modelMap.put("macroRecall", model.macroRecall());
        modelMap.put("macroF1", model.macroF1());
        modelMap.put("labels", List.copyOf(labelMaps));
        modelMap.put("confusion", List.copyOf(confusionMaps));

        Map<String, Object> map = new LinkedHashMap<>();
        map.put("rows", rows);
        map.put("goldRows", goldRows);
        map.put("functions", List.copyOf(functionMaps));
        map.put("model", Collections.unmodifiableMap(modelMap));
        return Collections.unmodifiableMap(map);
    }

    private static Double nullable(OptionalDouble value) {
        return value.isPresent() ? value.getAsDouble() : null;
    }
}
