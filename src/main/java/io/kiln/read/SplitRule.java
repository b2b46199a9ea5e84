package io.kiln.read;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import io.kiln.error.Violation;

/**
 * One named split of a snapshot's rows, decided by hashing a group key with a seed. A row's
 * position is the first 8 bytes of {@code sha256(key)} read as an unsigned fraction of 2^64, where
 * the key is {@code "<seed>:<id>"} without a group column, and {@code "<seed>:<by>=<value>"} with one
 * (a row whose group value is null is a group of its own, keyed by its id). The row is in the split
 * when {@code lower <= position < upper}; a split whose upper bound is 1 also holds the position 1
 * (rounding brings a handful of the 2^64 hashes there), so the splits of a set of fractions are
 * disjoint and cover every row, and every row of a group is in the same split. The same key lands
 * in the same split in every snapshot, whatever else the table holds, and Trino computes the same
 * position ({@link #trinoPredicate}).
 *
 * <p>{@code fractions} are the named splits this one was cut from, in their declared order (each
 * split's range follows the ranges of those before it); empty for a split given by its
 * {@code fraction} alone, which is the range {@code [0, fraction)}.
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(value = "fraction", allowGetters = true)
public record SplitRule(String name, double lower, double upper, long seed, Optional<String> by, Map<String, Double> fractions) {
    private static final double TWO_TO_THE_64 = 18446744073709551616.0;
    /** Split names as Hugging Face's loaders accept them, which also keeps them safe in shard names and query strings. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");
    private static final Pattern COLUMN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    /** How far the fractions may sum from 1 (they are decimals a user typed). */
    private static final double SUM_TOLERANCE = 1e-9;
    /** A digest per thread: a scan hashes the key of every row it reads. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    public SplitRule {
        requireNonNull(name, "name is null");
        requireNonNull(by, "by is null");
        requireNonNull(fractions, "fractions is null");
        if (!(lower >= 0 && lower < upper && upper <= 1)) {
            throw new IllegalArgumentException("a split is a range 0 <= lower < upper <= 1, was [" + lower + ", " + upper + ")");
        }
        by = by.filter(column -> !column.equals(SnapshotScan.SPLIT_COLUMN));
        by.ifPresent(column -> {
            if (!COLUMN.matcher(column).matches()) {
                throw new IllegalArgumentException("the group column must be a plain column name, was '" + column + "'");
            }
        });
        fractions = Collections.unmodifiableMap(new LinkedHashMap<>(fractions));
    }

    /** The rows whose id's position is below {@code fraction}: one side of a split by id. */
    public SplitRule(String name, double fraction, long seed) {
        this(name, 0, checkFraction(fraction), seed, Optional.empty(), Map.of());
    }

    private static double checkFraction(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("fraction must be more than 0 and at most 1, was " + fraction);
        }
        return fraction;
    }

    /**
     * Split {@code name} of the named {@code fractions} (in their order), grouped by column {@code by}
     * (empty: by row id).
     *
     * @throws IllegalArgumentException when the name is not among the fractions, a fraction is not
     *         more than 0, or they do not sum to 1
     */
    public static SplitRule named(String name, Map<String, Double> fractions, long seed, Optional<String> by) {
        if (!fractions.containsKey(name)) {
            throw new IllegalArgumentException("'" + name + "' is not one of the splits " + String.join(", ", fractions.keySet()));
        }
        double sum = 0;
        double lower = 0;
        for (Map.Entry<String, Double> split : fractions.entrySet()) {
            if (split.getValue() == null || !(split.getValue() > 0)) {
                throw new IllegalArgumentException("the fraction of split '" + split.getKey() + "' must be more than 0, was " + split.getValue());
            }
            if (split.getKey().equals(name)) {
                lower = sum;
            }
            sum += split.getValue();
        }
        if (Math.abs(sum - 1) > SUM_TOLERANCE) {
            throw new IllegalArgumentException("the fractions must sum to 1, they sum to " + sum);
        }
        List<String> names = new ArrayList<>(fractions.keySet());
        double upper = names.get(names.size() - 1).equals(name) ? 1.0 : Math.min(1.0, lower + fractions.get(name));
        return new SplitRule(name, lower, upper, seed, by, fractions);
    }

    /**
     * The split a request means, from its fields (a training config's {@code split}, an export's, the
     * rows endpoint's {@code split.*} parameters): either {@code fraction} (the rows below it) or
     * {@code fractions} with the {@code name} of one of them; problems go to {@code violations}
     * under {@code prefix} + the field's name, and the result is then empty.
     */
    public static Optional<SplitRule> of(String prefix, Optional<String> name, Optional<Double> fraction, Optional<Map<String, Double>> fractions, long seed,
            Optional<String> by, List<Violation> violations) {
        int before = violations.size();
        name.filter(text -> !NAME.matcher(text).matches())
                .ifPresent(text -> violations.add(new Violation(prefix + "name", "must be a split name as Hugging Face's loaders accept it (letters, digits and _, such as train or validation), was '" + text + "'")));
        by.filter(column -> !COLUMN.matcher(column).matches())
                .ifPresent(column -> violations.add(new Violation(prefix + "by", "must be a column name, was '" + column + "'")));
        if (fraction.isPresent() == fractions.isPresent()) {
            violations.add(new Violation(prefix + "fractions", "give either fractions (the named splits, such as {train: 0.8, validation: 0.1, test: 0.1}, with name) or fraction (the rows below it)"));
            return Optional.empty();
        }
        if (fraction.isPresent()) {
            if (!(fraction.get() > 0 && fraction.get() <= 1)) {
                violations.add(new Violation(prefix + "fraction", "must be more than 0 and at most 1, was " + fraction.get()));
            }
            if (violations.size() > before) {
                return Optional.empty();
            }
            return Optional.of(new SplitRule(name.orElse("split"), 0, fraction.get(), seed, by, Map.of()));
        }
        Map<String, Double> named = fractions.get();
        if (named.isEmpty()) {
            violations.add(new Violation(prefix + "fractions", "name at least one split"));
        }
        named.keySet().stream().filter(split -> !NAME.matcher(split).matches())
                .forEach(split -> violations.add(new Violation(prefix + "fractions", "'" + split + "' is not a split name (letters, digits and _, such as train or validation)")));
        if (name.isEmpty()) {
            violations.add(new Violation(prefix + "name", "is required with fractions: the split to read, one of " + String.join(", ", named.keySet())));
        }
        if (violations.size() > before) {
            return Optional.empty();
        }
        try {
            return Optional.of(named(name.get(), named, seed, by));
        }
        catch (IllegalArgumentException e) {
            violations.add(new Violation(prefix + (e.getMessage().contains("is not one of") ? "name" : "fractions"), e.getMessage()));
            return Optional.empty();
        }
    }

    /** The split's size as a fraction of the positions. */
    @com.fasterxml.jackson.annotation.JsonProperty("fraction")
    public double fraction() {
        return upper - lower;
    }

    /** Whether the row with this id (and, for a split by a group column, this group value) is in the split. */
    public boolean contains(String id, Object group) {
        return inRange(position(seed, key(id, group)));
    }

    /** Whether the row with this id is in a split by id. */
    public boolean contains(String id) {
        return contains(id, null);
    }

    private boolean inRange(double position) {
        return position >= lower && (position < upper || upper == 1.0);
    }

    /** What is hashed for a row: {@code "<by>=<value>"}, or the id when there is no group column or the value is null. */
    private String key(String id, Object group) {
        return by.isEmpty() || group == null ? id : by.get() + "=" + groupText(group);
    }

    /** A group value as Trino casts it to varchar: strings as they are, whole numbers in decimal. */
    public static String groupText(Object group) {
        return group instanceof CharSequence text ? text.toString() : String.valueOf(group);
    }

    /** The row's place in [0, 1], computed as Trino computes it in {@link #trinoPredicate}. */
    public static double position(long seed, String key) {
        long bits = leading64(seed + ":" + key);
        return (double) bits / TWO_TO_THE_64 + (bits < 0 ? 1.0 : 0.0);
    }

    /** The first 8 bytes of the SHA-256 of {@code text} (UTF-8), big-endian: what the split and {@link ShardRule} decide by. */
    static long leading64(String text) {
        byte[] hash = SHA256.get().digest(text.getBytes(StandardCharsets.UTF_8));
        long bits = 0;
        for (int i = 0; i < 8; i++) {
            bits = (bits << 8) | (hash[i] & 0xFF);
        }
        return bits;
    }

    /** The same rule as a Trino SQL predicate on the id column {@code idColumn} (and the group column, quoted). */
    public String trinoPredicate(String idColumn) {
        String key = "'" + seed + ":' || " + idColumn;
        if (by.isPresent()) {
            key = "COALESCE('" + seed + ":" + by.get() + "=' || CAST(" + TrinoPredicates.identifier(by.get()) + " AS varchar), " + key + ")";
        }
        String bits = "from_big_endian_64(substr(sha256(to_utf8(" + key + ")), 1, 8))";
        String position = "(CAST(" + bits + " AS double) / 18446744073709551616e0 + IF(" + bits + " < 0, 1e0, 0e0))";
        List<String> bounds = new ArrayList<>();
        if (lower > 0) {
            bounds.add(position + " >= " + doubleLiteral(lower));
        }
        if (upper < 1) {
            bounds.add(position + " < " + doubleLiteral(upper));
        }
        return bounds.isEmpty() ? "TRUE" : "(" + String.join(" AND ", bounds) + ")";
    }

    /** A Trino double literal that parses to exactly {@code value}. */
    private static String doubleLiteral(double value) {
        String text = Double.toString(value).toLowerCase(Locale.ROOT);
        return text.contains("e") ? text : text + "e0";
    }
}
