package io.kiln.transform;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.NumberOutput;

/**
 * Canonical texts of row values ({@link DataType}'s Java values): the same value always gives the
 * same text, whatever the machine, locale or time zone.
 */
public final class Values {
    private static final HexFormat HEX = HexFormat.of();
    // doubles and floats written with the shortest text that reads back as the same value (Schubfach, as Java 19 and later
    // write them), on every Java: see numberText
    private static final JsonFactory JSON = JsonFactory.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
    // the running Java's Double.toString: content digest format 1 (digestTextFormat1)
    private static final JsonFactory JAVA_NUMBERS_JSON = JsonFactory.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .disable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

    private Values() {}

    /**
     * A value as the content digest hashes it. Scalars as their plain text (decimals without an
     * exponent, dates and timestamps in ISO-8601), vectors of floats as the hex of each float's
     * bits, lists of whole numbers as {@code 1,2,3,} (as token ids always were), binary as base64,
     * and every other list and every struct as its {@link #json canonical JSON}; doubles and floats, alone or inside, as
     * {@link #numberText(double)}. The text of content digest format 2.
     */
    public static String digestText(Object value) {
        return digestText(value, false);
    }

    /**
     * A value's text in content digest format 1, which snapshots written before format 2 (summary key
     * {@code kiln.content-digest-format}) recorded: {@link #digestText(Object)}, except that doubles and floats, alone or in
     * lists and structs, take the running Java's own {@code Double.toString} / {@code Float.toString}.
     */
    public static String digestTextFormat1(Object value) {
        return digestText(value, true);
    }

    /** {@code javaNumbers}: doubles and floats as the running Java's {@code toString} gives them (format 1). */
    private static String digestText(Object value, boolean javaNumbers) {
        if (value instanceof String text) {
            return text;
        }
        if (value instanceof float[] vector) {
            StringBuilder text = new StringBuilder(vector.length * 8);
            for (float element : vector) {
                text.append(HEX.toHexDigits(Float.floatToRawIntBits(element)));
            }
            return text.toString();
        }
        if (value instanceof List<?> list) {
            if (wholeNumbers(list)) {
                StringBuilder text = new StringBuilder(list.size() * 6);
                for (Object element : list) {
                    text.append(element).append(',');
                }
                return text.toString();
            }
            return json(value, javaNumbers ? JAVA_NUMBERS_JSON : JSON);
        }
        if (value instanceof Map<?, ?>) {
            return json(value, javaNumbers ? JAVA_NUMBERS_JSON : JSON);
        }
        if (value instanceof BigDecimal decimal) {
            return plainText(decimal);
        }
        if (value instanceof ByteBuffer bytes) {
            return base64(bytes);
        }
        if (value instanceof Instant instant) {
            return instantText(instant);
        }
        if (value instanceof Double number && !javaNumbers) {
            return numberText(number);
        }
        if (value instanceof Float number && !javaNumbers) {
            return numberText(number);
        }
        return String.valueOf(value);
    }

    /**
     * A double's text: {@link Double#toString(double)} as Java 19 and later give it (Raffaello Giulietti's Schubfach, the
     * shortest decimal that reads back as the same double), through jackson-core's port of it, on every Java. Java 17's own
     * {@code Double.toString} gives a longer text for about 0.3 % of arbitrary doubles (none of the two-decimal, uniform,
     * Gaussian or logarithm values of {@code bench/double-text.sh}), and takes about twice the time.
     */
    public static String numberText(double value) {
        return NumberOutput.toString(value, true);
    }

    /** A float's text: {@link Float#toString(float)} as Java 19 and later give it, on every Java (see {@link #numberText(double)}). */
    public static String numberText(float value) {
        return NumberOutput.toString(value, true);
    }

    /** Exactly {@link BigDecimal#toPlainString()}, faster for the decimals whose unscaled value fits a long and whose scale is not negative. */
    static String plainText(BigDecimal decimal) {
        int scale = decimal.scale();
        if (scale < 0 || scale > 18 || decimal.precision() > 18) {
            return decimal.toPlainString();
        }
        long unscaled = decimal.unscaledValue().longValue();
        if (scale == 0) {
            return Long.toString(unscaled);
        }
        String digits = Long.toString(Math.abs(unscaled));
        StringBuilder text = new StringBuilder(digits.length() + scale + 3);
        if (unscaled < 0) {
            text.append('-');
        }
        int point = digits.length() - scale;
        if (point <= 0) {
            text.append("0.");
            for (int i = point; i < 0; i++) {
                text.append('0');
            }
            text.append(digits);
        }
        else {
            text.append(digits, 0, point).append('.').append(digits, point, digits.length());
        }
        return text.toString();
    }

    /** Exactly {@link Instant#toString()} (ISO-8601, the fraction in groups of three digits), without its formatter for the years 0 to 9999. */
    static String instantText(Instant instant) {
        long seconds = instant.getEpochSecond();
        long day = Math.floorDiv(seconds, 86_400);
        if (day < -719_528 || day > 2_932_896) {
            return instant.toString();
        }
        LocalDate date = LocalDate.ofEpochDay(day);
        int secondOfDay = (int) Math.floorMod(seconds, 86_400);
        int nanos = instant.getNano();
        char[] text = new char[30];
        int length = 0;
        length = put(text, length, date.getYear(), 4);
        text[length++] = '-';
        length = put(text, length, date.getMonthValue(), 2);
        text[length++] = '-';
        length = put(text, length, date.getDayOfMonth(), 2);
        text[length++] = 'T';
        length = put(text, length, secondOfDay / 3600, 2);
        text[length++] = ':';
        length = put(text, length, secondOfDay / 60 % 60, 2);
        text[length++] = ':';
        length = put(text, length, secondOfDay % 60, 2);
        if (nanos > 0) {
            text[length++] = '.';
            if (nanos % 1_000_000 == 0) {
                length = put(text, length, nanos / 1_000_000, 3);
            }
            else if (nanos % 1_000 == 0) {
                length = put(text, length, nanos / 1_000, 6);
            }
            else {
                length = put(text, length, nanos, 9);
            }
        }
        text[length++] = 'Z';
        return new String(text, 0, length);
    }

    private static int put(char[] text, int at, int value, int width) {
        for (int i = width - 1; i >= 0; i--) {
            text[at + i] = (char) ('0' + value % 10);
            value /= 10;
        }
        return at + width;
    }

    private static boolean wholeNumbers(List<?> list) {
        for (Object element : list) {
            if (!(element instanceof Integer) && !(element instanceof Long)) {
                return false;
            }
        }
        return true;
    }

    /** A value as compact JSON: structs as objects in field order, binary as base64, dates and timestamps as ISO-8601 strings, NaN and infinities as strings. */
    public static String json(Object value) {
        return json(value, JSON);
    }

    /** {@link #json(Object)}, with Jackson's generators from {@code factory} where the value needs one. */
    private static String json(Object value, JsonFactory factory) {
        StringBuilder simple = new StringBuilder(32);
        if (simpleJson(value, simple)) {
            return simple.toString();
        }
        return jacksonJson(value, factory);
    }

    /** {@link #json} through Jackson, whatever the value. */
    static String jacksonJson(Object value) {
        return jacksonJson(value, JSON);
    }

    private static String jacksonJson(Object value, JsonFactory factory) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = factory.createGenerator(out)) {
            write(json, value);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * Appends the JSON of a value made only of nulls, whole numbers, booleans, strings of printable ASCII without quotes or
     * backslashes, lists and maps of those (a sparse vector, a group key, token ids): the text Jackson writes for it, without
     * a generator per value. False, with {@code out} in any state, for anything else.
     */
    private static boolean simpleJson(Object value, StringBuilder out) {
        if (value == null) {
            out.append("null");
        }
        else if (value instanceof Integer || value instanceof Long) {
            out.append(((Number) value).longValue()); // the digits, without a string per value
        }
        else if (value instanceof Boolean flag) {
            out.append(flag.booleanValue());
        }
        else if (value instanceof String text) {
            if (!plainAscii(text)) {
                return false;
            }
            out.append('"').append(text).append('"');
        }
        else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                if (!simpleJson(list.get(i), out)) {
                    return false;
                }
            }
            out.append(']');
        }
        else if (value instanceof Map<?, ?> struct) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> field : struct.entrySet()) {
                String name = field.getKey().toString();
                if (!plainAscii(name)) {
                    return false;
                }
                if (!first) {
                    out.append(',');
                }
                first = false;
                out.append('"').append(name).append("\":");
                if (!simpleJson(field.getValue(), out)) {
                    return false;
                }
            }
            out.append('}');
        }
        else {
            return false;
        }
        return true;
    }

    /** Whether JSON writes the text as it is: printable ASCII, no quote, no backslash. */
    private static boolean plainAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /** A row as one JSON object: its id, then its columns in name order. */
    public static String json(Row row) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("id", row.id());
            for (Map.Entry<String, Object> column : row.columns().entrySet()) {
                json.writeFieldName(column.getKey());
                write(json, column.getValue());
            }
            json.writeEndObject();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Writes one value with {@code json}, by the rules of {@link #json(Object)}. */
    public static void write(JsonGenerator json, Object value) throws IOException {
        if (value == null) {
            json.writeNull();
        }
        else if (value instanceof String text) {
            json.writeString(text);
        }
        else if (value instanceof Integer number) {
            json.writeNumber(number);
        }
        else if (value instanceof Long number) {
            json.writeNumber(number);
        }
        else if (value instanceof Boolean flag) {
            json.writeBoolean(flag);
        }
        else if (value instanceof Double number) {
            if (number.isNaN() || number.isInfinite()) {
                json.writeString(numberText(number));
            }
            else {
                json.writeNumber(number);
            }
        }
        else if (value instanceof Float number) {
            if (number.isNaN() || number.isInfinite()) {
                json.writeString(numberText(number));
            }
            else {
                json.writeNumber(number);
            }
        }
        else if (value instanceof BigDecimal decimal) {
            json.writeNumber(decimal);
        }
        else if (value instanceof LocalDate || value instanceof Instant) {
            json.writeString(value.toString());
        }
        else if (value instanceof ByteBuffer bytes) {
            json.writeString(base64(bytes));
        }
        else if (value instanceof float[] vector) {
            json.writeStartArray();
            for (float element : vector) {
                write(json, element);
            }
            json.writeEndArray();
        }
        else if (value instanceof List<?> list) {
            json.writeStartArray();
            for (Object element : list) {
                write(json, element);
            }
            json.writeEndArray();
        }
        else if (value instanceof Map<?, ?> struct) {
            json.writeStartObject();
            for (Map.Entry<?, ?> field : struct.entrySet()) {
                json.writeFieldName(field.getKey().toString());
                write(json, field.getValue());
            }
            json.writeEndObject();
        }
        else {
            throw new IllegalArgumentException("not a row value: " + value.getClass().getSimpleName());
        }
    }

    private static String base64(ByteBuffer bytes) {
        return Base64.getEncoder().encodeToString(bytes(bytes));
    }

    /** The bytes of a binary value, copied; the value is not moved. */
    public static byte[] bytes(ByteBuffer value) {
        ByteBuffer copy = value.duplicate();
        byte[] array = new byte[copy.remaining()];
        copy.get(array);
        return array;
    }

    /** The sha256 of a binary value, as 64 hex digits; the value is not moved. */
    /**
     * A row's vector as floats: a {@code float[]} as it is, a list of numbers converted (an element that is
     * not a number is NaN); null for anything else.
     */
    public static float[] floats(Object value) {
        if (value instanceof float[] vector) {
            return vector;
        }
        if (value instanceof java.util.List<?> list) {
            float[] vector = new float[list.size()];
            for (int i = 0; i < vector.length; i++) {
                vector[i] = list.get(i) instanceof Number number ? number.floatValue() : Float.NaN;
            }
            return vector;
        }
        return null;
    }

    public static String sha256(ByteBuffer value) {
        try {
            java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            digest.update(value.duplicate());
            return HexFormat.of().formatHex(digest.digest());
        }
        catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
