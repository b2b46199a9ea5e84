package io.kiln.source;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.OptionalLong;

/**
 * A fast path for the ISO-8601 timestamps nearly every source writes:
 * {@code yyyy-mm-dd[T or space]hh:mm:ss[.fraction][Z or +hh:mm or +hhmm or +hh]}. It gives
 * exactly what {@link java.time.OffsetDateTime#parse} and {@link java.time.LocalDateTime#parse}
 * give for these forms (a missing offset is UTC), without their formatter machinery; anything else
 * (a time without seconds, years beyond 9999, ...) answers empty and goes the slow way.
 */
final class IsoTimestamps {
    private IsoTimestamps() {}

    /** Microseconds since the epoch, cut (not rounded) below a microsecond; empty when the text is not of the fast forms or not a valid date-time. */
    static OptionalLong micros(String text) {
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

    /** The instant of {@link #micros}, or empty. */
    static java.util.Optional<Instant> instant(String text) {
        OptionalLong micros = micros(text);
        if (micros.isEmpty()) {
            return java.util.Optional.empty();
        }
        long value = micros.getAsLong();
        return java.util.Optional.of(Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000), Math.floorMod(value, 1_000_000) * 1_000L));
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
