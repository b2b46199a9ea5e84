package io.kiln.transform;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Timestamps as text, read one way everywhere (sources, row filters): ISO-8601 with an offset or
 * {@code Z}, or without one (then UTC), with {@code T} or a space between date and time; fractions
 * of a second beyond microseconds are cut; instants beyond Iceberg's range (microseconds in a long)
 * are not timestamps, nor are impossible dates (no day 30 of February). The common form {@code yyyy-mm-dd[T ]hh:mm:ss[.f][Z|+hh:mm|+hhmm|+hh]} is read
 * without java.time's formatters; every other form goes through them.
 */
public final class Timestamps {
    private static final DateTimeFormatter LOCAL = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .optionalStart().appendLiteral('T').optionalEnd()
            .optionalStart().appendLiteral(' ').optionalEnd()
            .append(DateTimeFormatter.ISO_LOCAL_TIME)
            .toFormatter(Locale.ROOT)
            .withResolverStyle(ResolverStyle.STRICT);
    private static final DateTimeFormatter OFFSET = new DateTimeFormatterBuilder()
            .append(LOCAL)
            .appendOffset("+HH:MM:ss", "Z")
            .toFormatter(Locale.ROOT)
            .withResolverStyle(ResolverStyle.STRICT);
    private static final long MAX_MICROS_SECONDS = Long.MAX_VALUE / 1_000_000 - 1;

    private Timestamps() {}

    /** The instant {@code text} names, by the rules above; empty when it is not a timestamp. */
    public static Optional<Instant> parse(String text) {
        Optional<Instant> fast = fast(text);
        if (fast.isPresent()) {
            return fast;
        }
        Instant instant;
        try {
            instant = OffsetDateTime.parse(text, OFFSET).toInstant();
        }
        catch (DateTimeException withOffset) {
            try {
                instant = LocalDateTime.parse(text, LOCAL).toInstant(ZoneOffset.UTC);
            }
            catch (DateTimeException local) {
                return Optional.empty();
            }
        }
        if (Math.abs(instant.getEpochSecond()) > MAX_MICROS_SECONDS) {
            return Optional.empty();
        }
        return Optional.of(instant.truncatedTo(ChronoUnit.MICROS));
    }

    /** Microseconds since the epoch, cut (not rounded) below a microsecond; empty when the text is not of the fast forms or not a valid date-time. */
    static OptionalLong fastMicros(String text) {
        int length = text.length();
        if (length < 19 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(13) != ':' || text.charAt(16) != ':') {
            return OptionalLong.empty();
        }
        char separator = text.charAt(10);
        if (separator != 'T' && separator != ' ' && separator != 't') {
            return OptionalLong.empty();
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return OptionalLong.empty();
        }
        int position = 19;
        long nanos = 0;
        if (position < length && text.charAt(position) == '.') {
            int start = ++position;
            while (position < length && Character.isDigit(text.charAt(position))) {
                position++;
            }
            int count = position - start;
            if (count == 0 || count > 9) {
                return OptionalLong.empty();
            }
            nanos = digits(text, start, count);
            for (int i = count; i < 9; i++) {
                nanos *= 10;
            }
        }
        int offsetSeconds = 0;
        if (position < length) {
            char sign = text.charAt(position);
            if ((sign == 'Z' || sign == 'z') && position + 1 == length) {
                position++;
            }
            else if (sign == '+' || sign == '-') {
                int rest = length - position - 1;
                int hours;
                int minutes = 0;
                if (rest == 2) {
                    hours = digits(text, position + 1, 2);
                }
                else if (rest == 4) {
                    hours = digits(text, position + 1, 2);
                    minutes = digits(text, position + 3, 2);
                }
                else if (rest == 5 && text.charAt(position + 3) == ':') {
                    hours = digits(text, position + 1, 2);
                    minutes = digits(text, position + 4, 2);
                }
                else {
                    return OptionalLong.empty();
                }
                if (hours < 0 || hours > 18 || minutes < 0 || minutes > 59) {
                    return OptionalLong.empty();
                }
                offsetSeconds = (sign == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
                position = length;
            }
            else {
                return OptionalLong.empty();
            }
        }
        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        }
        catch (DateTimeException e) {
            return OptionalLong.empty();
        }
        long seconds = epochDay * 86_400 + hour * 3600L + minute * 60L + second - offsetSeconds;
        return OptionalLong.of(seconds * 1_000_000 + nanos / 1_000);
    }

    /** The instant of {@link #fastMicros}, or empty. */
    static Optional<Instant> fast(String text) {
        OptionalLong micros = fastMicros(text);
        if (micros.isEmpty()) {
            return Optional.empty();
        }
        long value = micros.getAsLong();
        return Optional.of(Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000), Math.floorMod(value, 1_000_000) * 1_000L));
    }

    /**
     * {@link LocalDate#parse(CharSequence)}: the same date, or the same failure ({@link DateTimeException}), for any text;
     * {@code yyyy-mm-dd} in ASCII digits without java.time's formatter.
     */
    public static LocalDate parseDate(String text) {
        if (text.length() == 10 && text.charAt(4) == '-' && text.charAt(7) == '-') {
            int year = digits(text, 0, 4);
            int month = digits(text, 5, 2);
            int day = digits(text, 8, 2);
            if (year >= 0 && month >= 0 && day >= 0) {
                return LocalDate.of(year, month, day);
            }
        }
        return LocalDate.parse(text);
    }

    /** The non-negative number of {@code count} ASCII digits at {@code start}, or -1. */
    private static int digits(String text, int start, int count) {
        int value = 0;
        for (int i = start; i < start + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
