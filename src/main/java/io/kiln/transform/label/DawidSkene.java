package io.kiln.transform.label;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Dawid and Skene model ("Maximum likelihood estimation of observer error-rates using the EM
 * algorithm", 1979): a prior per label and, per function, a confusion matrix P(vote = j | true = i)
 * whose last outcome is abstaining; the functions are independent given the true label. Abstaining is
 * an outcome like a vote because labeling functions mostly vote one label or abstain: such a function
 * tells the labels apart only by when it abstains (as in the label models of weak supervision).
 * Fitted by EM without gold labels.
 *
 * <p>The fit is deterministic: it starts from the soft majority vote (each label's share of the votes
 * that did not abstain; uniform where every function abstains), runs a fixed number of iterations
 * of an M-step (priors and confusion matrices with additive smoothing, so that no probability is 0)
 * followed by an E-step (posteriors in log space, normalized by log-sum-exp), sums over the distinct
 * vote patterns in their canonical order, and uses {@link StrictMath}, so the same rows give
 * bit-identical parameters whatever the order they were added in, on any JVM.
 *
 * <p>Immutable once fitted; {@link #predict} is thread-safe. The prediction is the label of highest
 * posterior (ties to the lowest index) with that posterior as its confidence.
 */
public final class DawidSkene implements LabelModel {
    public static final int DEFAULT_ITERATIONS = 50;
    public static final double DEFAULT_SMOOTHING = 0.01;

    private final int labels;
    private final int functions;
    private final int iterations;
    private final double smoothing;
    private final long rows;
    private final double[] priors;
    private final double[][][] confusions;
    private final double[] accuracies;
    private final double logLikelihood;
    private final double[] logPriors;
    private final double[][][] logConfusions;

    private DawidSkene(int labels, int functions, int iterations, double smoothing, long rows, double[] priors,
            double[][][] confusions, double[] accuracies, double logLikelihood) {
        this.labels = labels;
        this.functions = functions;
        this.iterations = iterations;
        this.smoothing = smoothing;
        this.rows = rows;
        this.priors = priors;
        this.confusions = confusions;
        this.accuracies = accuracies;
        this.logLikelihood = logLikelihood;
        this.logPriors = logs(priors);
        this.logConfusions = new double[functions][labels][];
        for (int function = 0; function < functions; function++) {
            for (int truth = 0; truth < labels; truth++) {
                logConfusions[function][truth] = logs(confusions[function][truth]);
            }
        }
    }

    /** Fits with {@value #DEFAULT_ITERATIONS} iterations and smoothing {@value #DEFAULT_SMOOTHING}. */
    public static DawidSkene fit(VoteCounts votes) {
        return fit(votes, DEFAULT_ITERATIONS, DEFAULT_SMOOTHING);
    }

    /**
     * Fits on every row of {@code votes}, gold labels ignored.
     *
     * @param iterations the number of EM iterations (M-step then E-step), 1 or more
     * @param smoothing the count added to every cell of the priors and confusion matrices, more than 0
     * @throws IllegalArgumentException when there are no rows or a parameter is out of range
     */
    public static DawidSkene fit(VoteCounts votes, int iterations, double smoothing) {
        requireNonNull(votes, "votes is null");
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be 1 or more, was " + iterations);
        }
        if (!(smoothing > 0 && smoothing < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("smoothing must be more than 0 and finite, was " + smoothing);
        }
        if (votes.rows() == 0) {
            throw new IllegalArgumentException("Cannot fit Dawid-Skene: no rows");
        }
        int labels = votes.labels();
        int functions = votes.functions();

        List<int[]> patternVotes = new ArrayList<>();
        List<Long> patternCounts = new ArrayList<>();
        VoteCounts.Pattern previous = null;
        for (VoteCounts.Pattern pattern : votes.patterns()) {
            if (previous != null && pattern.sameVotes(previous)) {
                patternCounts.set(patternCounts.size() - 1, patternCounts.get(patternCounts.size() - 1) + pattern.count());
            } else {
                patternVotes.add(pattern.votes());
                patternCounts.add(pattern.count());
            }
            previous = pattern;
        }
        int patterns = patternVotes.size();

        double[][] posteriors = new double[patterns][labels];
        for (int p = 0; p < patterns; p++) {
            long[] tally = new long[labels];
            long voted = 0;
            for (int vote : patternVotes.get(p)) {
                if (vote != VoteCounts.ABSTAIN) {
                    tally[vote]++;
                    voted++;
                }
            }
            for (int label = 0; label < labels; label++) {
                posteriors[p][label] = voted == 0 ? 1.0 / labels : (double) tally[label] / voted;
            }
        }

        double[] priors = null;
        double[][][] confusions = null;
        double[] accuracies = null;
        double logLikelihood = 0;
        for (int iteration = 0; iteration < iterations; iteration++) {
            double[] classTotals = new double[labels];
            // a function's outcomes: a vote for each label, and abstaining (index labels): a function that votes one label only
            // tells the labels apart by when it abstains
            double[][][] joint = new double[functions][labels][labels + 1];
            for (int p = 0; p < patterns; p++) {
                double count = patternCounts.get(p);
                int[] patternVote = patternVotes.get(p);
                for (int truth = 0; truth < labels; truth++) {
                    double weight = count * posteriors[p][truth];
                    classTotals[truth] += weight;
                    for (int function = 0; function < functions; function++) {
                        int vote = patternVote[function];
                        joint[function][truth][vote == VoteCounts.ABSTAIN ? labels : vote] += weight;
                    }
                }
            }
            priors = normalized(classTotals, smoothing);
            confusions = new double[functions][labels][];
            for (int function = 0; function < functions; function++) {
                for (int truth = 0; truth < labels; truth++) {
                    confusions[function][truth] = normalized(joint[function][truth], smoothing);
                }
            }
            accuracies = accuracies(priors, confusions);

            double[] logPriors = logs(priors);
            double[][][] logConfusions = new double[functions][labels][];
            for (int function = 0; function < functions; function++) {
                for (int truth = 0; truth < labels; truth++) {
                    logConfusions[function][truth] = logs(confusions[function][truth]);
                }
            }
            logLikelihood = 0;
            for (int p = 0; p < patterns; p++) {
                double[] scores = scores(patternVotes.get(p), logPriors, logConfusions);
                double logNormalizer = logSumExp(scores);
                for (int label = 0; label < labels; label++) {
                    posteriors[p][label] = StrictMath.exp(scores[label] - logNormalizer);
                }
                logLikelihood += patternCounts.get(p) * logNormalizer;
            }
        }
        return new DawidSkene(labels, functions, iterations, smoothing, votes.rows(), priors, confusions, accuracies,
                logLikelihood);
    }

    /**
     * Per function: sum_i prior_i P(votes | true = i) P(vote = i | true = i, votes) / sum_i prior_i P(votes | true = i),
     * the probability that its vote is right given that it votes, with P(votes | true = i) the smoothed
     * expected share of the rows of label i on which it votes.
     */
    private static double[] accuracies(double[] priors, double[][][] confusions) {
        int functions = confusions.length;
        int labels = priors.length;
        double[] accuracies = new double[functions];
        for (int function = 0; function < functions; function++) {
            double right = 0;
            double voting = 0;
            for (int truth = 0; truth < labels; truth++) {
                right += priors[truth] * confusions[function][truth][truth];
                voting += priors[truth] * (1 - confusions[function][truth][labels]);
            }
            accuracies[function] = right / voting;
        }
        return accuracies;
    }

    private static double[] normalized(double[] counts, double smoothing) {
        double total = 0;
        for (double count : counts) {
            total += count + smoothing;
        }
        double[] probabilities = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            probabilities[i] = (counts[i] + smoothing) / total;
        }
        return probabilities;
    }

    private static double[] logs(double[] values) {
        double[] logs = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            logs[i] = StrictMath.log(values[i]);
        }
        return logs;
    }

    private static double[] scores(int[] votes, double[] logPriors, double[][][] logConfusions) {
        double[] scores = logPriors.clone();
        for (int truth = 0; truth < scores.length; truth++) {
            for (int function = 0; function < votes.length; function++) {
                int vote = votes[function];
                scores[truth] += logConfusions[function][truth][vote == VoteCounts.ABSTAIN ? scores.length : vote];
            }
        }
        return scores;
    }

    private static double logSumExp(double[] scores) {
        double max = Double.NEGATIVE_INFINITY;
        for (double score : scores) {
            max = Math.max(max, score);
        }
        double sum = 0;
        for (double score : scores) {
            sum += StrictMath.exp(score - max);
        }
        return max + StrictMath.log(sum);
    }

    @Override
    public int labels() {
        return labels;
    }

    public int functions() {
        return functions;
    }

    public int iterations() {
        return iterations;
    }

    public double smoothing() {
        return smoothing;
    }

    /** A copy of the estimated prior of each label. */
    public double[] priors() {
        return priors.clone();
    }

    /** A copy of the estimated probability, per function, that its vote is right when it votes. */
    public double[] accuracies() {
        return accuracies.clone();
    }

    /** A copy of the confusion matrix of {@code function}: [true label][vote] = P(vote | true label), the last column abstaining. */
    public double[][] confusion(int function) {
        if (function < 0 || function >= functions) {
            throw new IllegalArgumentException("function must be from 0 to " + (functions - 1) + ", was " + function);
        }
        double[][] copy = new double[labels][];
        for (int truth = 0; truth < labels; truth++) {
            copy[truth] = confusions[function][truth].clone();
        }
        return copy;
    }

    /** The log-likelihood, in nats, of the votes (abstentions included) of the fitted rows under the fitted parameters. */
    public double logLikelihood() {
        return logLikelihood;
    }

    /** The posterior of every label given {@code votes}; the priors when every function abstains. */
    public double[] posteriors(int[] votes) {
        VoteCounts.checkVotes(votes, functions, labels);
        double[] scores = scores(votes, logPriors, logConfusions);
        double logNormalizer = logSumExp(scores);
        double[] posteriors = new double[labels];
        for (int label = 0; label < labels; label++) {
            posteriors[label] = StrictMath.exp(scores[label] - logNormalizer);
        }
        return posteriors;
    }

    @Override
    public Prediction predict(int[] votes) {
        double[] posteriors = posteriors(votes);
        boolean anyVote = false;
        for (int vote : votes) {
            anyVote |= vote != VoteCounts.ABSTAIN;
        }
        if (!anyVote) {
            return Prediction.NONE;
        }
        int best = 0;
        for (int label = 1; label < labels; label++) {
            if (posteriors[label] > posteriors[best]) {
                best = label;
            }
        }
        return new Prediction(best, posteriors[best]);
    }

    /**
     * {@code model} ("dawid-skene"), {@code labels}, {@code functions}, {@code rows} (fitted on),
     * {@code iterations}, {@code smoothing}, {@code priors} (per label), {@code accuracies} (per
     * function), {@code confusions} (per function, per true label, per vote) and {@code logLikelihood}.
     */
    @Override
    public Map<String, Object> describe() {
        List<Object> confusionList = new ArrayList<>();
        for (int function = 0; function < functions; function++) {
            List<Object> matrix = new ArrayList<>();
            for (int truth = 0; truth < labels; truth++) {
                matrix.add(list(confusions[function][truth]));
            }
            confusionList.add(List.copyOf(matrix));
        }
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("model", "dawid-skene");
        description.put("labels", labels);
        description.put("functions", functions);
        description.put("rows", rows);
        description.put("iterations", iterations);
        description.put("smoothing", smoothing);
        description.put("priors", list(priors));
        description.put("accuracies", list(accuracies));
        description.put("confusions", List.copyOf(confusionList));
        description.put("logLikelihood", logLikelihood);
        return Collections.unmodifiableMap(description);
    }

    static List<Double> list(double[] values) {
        List<Double> list = new ArrayList<>(values.length);
        for (double value : values) {
            list.add(value);
        }
        return List.copyOf(list);
    }
}
