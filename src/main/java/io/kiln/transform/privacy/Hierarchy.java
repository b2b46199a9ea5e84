package io.kiln.transform.privacy;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import io.kiln.transform.Timestamps;
import io.kiln.transform.Values;

/**
 * A generalization hierarchy of one quasi-identifier: level 0 is the exact value (as text), each
 * higher level coarser, and the top level ({@link #height()} - 1) is {@code *}, which says nothing.
 * A null stays null at every level but the top. Pure and thread-safe.
 */
public sealed interface Hierarchy {
    String TOP = "*";

    /** The number of levels, the exact value and the top included (at least 2). */
    int height();

    /**
     * Whether the hierarchy can place {@code value} (a null always): not a value a CSV hierarchy does
     * not list, nor text where numbers or dates are expected. A row it cannot place is rejected.
     */
    boolean places(Object value);

    /** The value at {@code level}, a value it {@link #places}; a null stays null below the top. */
    default String generalize(Object value, int level) {
        if (level == height() - 1) {
            return TOP;
        }
        return value == null ? null : below(value, level);
    }

    /** A value that is not null, at a {@code level} below the top. */
    String below(Object value, int level);

    /** How the recipe and the summary describe this hierarchy. */
    Map<String, Object> describe();

    /** The exact value as text: the digest's plain text of a scalar (no exponent, ISO-8601 dates). */
    static String exact(Object value) {
        return Values.digestText(value);
    }

    /**
     * Numeric intervals {@code [lower, upper)}: level 1 of {@code width}, each next level {@code fanout}
     * times wider, aligned at zero (so {@code [30, 40)} holds 30 to 39.999...), {@code levels} of them.
     */
    record Intervals(BigDecimal width, int fanout, int levels) implements Hierarchy {
        public Intervals {
            requireNonNull(width, "width is null");
        }

        @Override
        public int height() {
            return levels + 2;
        }

        @Override
        public String below(Object value, int level) {
            if (level == 0) {
                return exact(value);
            }
            BigDecimal number = number(value);
            BigDecimal size = width.multiply(BigDecimal.valueOf(fanout).pow(level - 1));
            BigDecimal lower = number.divide(size, 0, RoundingMode.FLOOR).multiply(size);
            return "[" + plain(lower) + ", " + plain(lower.add(size)) + ")";
        }

        @Override
        public boolean places(Object value) {
            return value == null || number(value) != null;
        }

        private static BigDecimal number(Object value) {
            if (value instanceof BigDecimal decimal) {
                return decimal;
            }
            if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
                return BigDecimal.valueOf(((Number) value).longValue());
            }
            if (value instanceof Float || value instanceof Double) {
                double number = ((Number) value).doubleValue();
                return Double.isFinite(number) ? new BigDecimal(Double.toString(number)) : null;
            }
            if (value instanceof String text) {
                try {
                    return new BigDecimal(text.strip());
                }
                catch (NumberFormatException e) {
                    return null;
                }
            }
            return null;
        }

        private static String plain(BigDecimal value) {
            return value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString();
        }

        @Override
        public Map<String, Object> describe() {
            return Map.of("type", "intervals", "width", plain(width), "fanout", fanout, "levels", levels);
        }
    }

    /** Text masked from the right, one more character per level ({@code 12345}, {@code 1234*}, {@code 123**}, ...), {@code levels} of them. */
    record Mask(int levels) implements Hierarchy {
        @Override
        public int height() {
            return levels + 2;
        }

        @Override
        public String below(Object value, int level) {
            String text = exact(value);
            int[] codePoints = text.codePoints().toArray();
            int keep = Math.max(0, codePoints.length - level);
            return new String(codePoints, 0, keep) + "*".repeat(codePoints.length - keep);
        }

        @Override
        public boolean places(Object value) {
            return true;
        }

        @Override
        public Map<String, Object> describe() {
            return Map.of("type", "mask", "levels", levels);
        }
    }

    /** Dates (and timestamps, in UTC) to coarser units, one per level: {@code month} (2024-03), {@code year} (2024), {@code decade} (2020s). */
    record Dates(List<String> units) implements Hierarchy {
        public static final List<String> UNITS = List.of("month", "year", "decade");

        public Dates {
            units = List.copyOf(units);
        }

        @Override
        public int height() {
            return units.size() + 2;
        }

        @Override
        public String below(Object value, int level) {
            LocalDate date = date(value);
            if (level == 0) {
                return date.toString();
            }
            return switch (units.get(level - 1)) {
                case "month" -> String.format(java.util.Locale.ROOT, "%04d-%02d", date.getYear(), date.getMonthValue());
                case "year" -> String.format(java.util.Locale.ROOT, "%04d", date.getYear());
                default -> Math.floorDiv(date.getYear(), 10) * 10 + "s";
            };
        }

        @Override
        public boolean places(Object value) {
            return value == null || date(value) != null;
        }

        private static LocalDate date(Object value) {
            if (value instanceof LocalDate date) {
                return date;
            }
            if (value instanceof Instant instant) {
                return instant.atOffset(ZoneOffset.UTC).toLocalDate();
            }
            if (value instanceof java.time.OffsetDateTime time) {
                return time.withOffsetSameInstant(ZoneOffset.UTC).toLocalDate();
            }
            if (value instanceof java.time.LocalDateTime time) {
                return time.toLocalDate();
            }
            if (value instanceof String text) {
                String stripped = text.strip();
                try {
                    return Timestamps.parseDate(stripped.length() >= 10 ? stripped.substring(0, 10) : stripped);
                }
                catch (java.time.DateTimeException e) {
                    return null;
                }
            }
            return null;
        }

        @Override
        public Map<String, Object> describe() {
            return Map.of("type", "dates", "units", units);
        }
    }

    /**
     * A hierarchy given value by value: each exact value's path to the top, as in ARX's hierarchy CSV
     * files ({@code value;level1;level2;*}), or built from groupings of categories. A value it does
     * not list cannot be placed.
     *
     * @param sha256 of the CSV file or of the canonical groupings, for the recipe
     */
    record Table(Map<String, List<String>> paths, int height, String source, String sha256) implements Hierarchy {
        public Table {
            paths = Map.copyOf(paths);
            requireNonNull(source, "source is null");
            requireNonNull(sha256, "sha256 is null");
        }

        @Override
        public String below(Object value, int level) {
            return paths.get(exact(value)).get(level);
        }

        @Override
        public boolean places(Object value) {
            return value == null || paths.containsKey(exact(value));
        }

        @Override
        public Map<String, Object> describe() {
            return Map.of("type", source, "values", paths.size(), "levels", height - 2, "sha256", sha256);
        }
    }
}
