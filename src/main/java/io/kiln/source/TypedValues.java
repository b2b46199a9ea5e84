package io.kiln.source;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.kiln.transform.Column;
import io.kiln.transform.DataType;
import io.kiln.transform.Timestamps;
import io.kiln.transform.Values;

/**
 * Turns what a source holds (a JSON value, a text field, a Parquet value) into the value a
 * column of a {@link DataType} holds, or says why it cannot ({@link ValueException}). The rules,
 * the same for every format:
 * <ul>
 * <li>string: text as it is; from JSON, a number or boolean as its JSON text, an object or array as
 * its compact JSON;</li>
 * <li>boolean: {@code true} or {@code false} (case-insensitive in text);</li>
 * <li>int, long: a whole number in range (from JSON, a number without a fraction or exponent);</li>
 * <li>float, double: any number ({@code NaN}, {@code Infinity} in text);</li>
 * <li>decimal(p,s): a number with at most s digits after the point (trailing zeros beyond it are
 * allowed) and at most p digits in all; never rounded;</li>
 * <li>date: {@code 2024-03-01}; timestamp: ISO-8601 with an offset or {@code Z}
 * ({@code 2024-03-01T12:00:00+01:00}), or without one, then read as UTC, with {@code T} or a space;
 * fractions of a second beyond microseconds are cut;</li>
 * <li>binary: base64 text;</li>
 * <li>list and struct: a JSON array or object (in a text field, its JSON text).</li>
 * </ul>
 * Text of a type other than string is trimmed first, and an empty text is null.
 */
final class TypedValues {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    private TypedValues() {}

    /** Where unknown fields of a struct go, by their dotted path. */
    interface Unknowns {
        void unknown(String path, JsonNode value) throws ValueException;
    }

    /** A JSON value (never null; a JSON null is a null value) as a value of {@code type}. */
    static Object fromJson(JsonNode node, DataType type, String column, Unknowns unknowns) throws ValueException {
        if (node.isNull()) {
            return null;
        }
        if (type instanceof DataType.Primitive primitive) {
            switch (primitive) {
                case STRING:
                    if (node.isTextual()) {
                        return node.textValue();
                    }
                    if (node.isValueNode()) {
                        return node.asText();
                    }
                    return node.toString();
                case BOOLEAN:
                    if (node.isBoolean()) {
                        return node.booleanValue();
                    }
                    throw ValueException.mismatch(column, node, "a boolean");
                case INT:
                    if (node.isIntegralNumber() && node.canConvertToInt()) {
                        return node.intValue();
                    }
                    throw ValueException.mismatch(column, node, node.isIntegralNumber() ? "an int (out of range)" : "an int");
                case LONG:
                    if (node.isIntegralNumber() && node.canConvertToLong()) {
                        return node.longValue();
                    }
                    throw ValueException.mismatch(column, node, node.isIntegralNumber() ? "a long (out of range)" : "a long");
                case FLOAT:
                    if (node.isBigDecimal()) {
                        return Float.parseFloat(node.decimalValue().toString());
                    }
                    if (node.isNumber()) {
                        return node.floatValue();
                    }
                    throw ValueException.mismatch(column, node, "a float");
                case DOUBLE:
                    if (node.isBigDecimal()) {
                        // correctly rounded from the exact digits, as the text was
                        return Double.parseDouble(node.decimalValue().toString());
                    }
                    if (node.isNumber()) {
                        return node.doubleValue();
                    }
                    throw ValueException.mismatch(column, node, "a double");
                case BINARY:
                case DATE:
                case TIMESTAMP:
                    if (node.isTextual()) {
                        return fromText(node.textValue(), type, column);
                    }
                    throw ValueException.mismatch(column, node, "a " + type.spec() + (type == DataType.BINARY ? " (base64 text)" : " (ISO-8601 text)"));
                default:
                    throw new IllegalStateException("unknown type " + type);
            }
        }
        if (type instanceof DataType.Decimal decimal) {
            if (node.isNumber()) {
                return decimal(node.decimalValue(), decimal, column, node);
            }
            throw ValueException.mismatch(column, node, "a " + decimal.spec());
        }
        if (type instanceof DataType.ListOf list) {
            if (!node.isArray()) {
                throw ValueException.mismatch(column, node, "a list (JSON array)");
            }
            List<Object> values = new ArrayList<>(node.size());
            int index = 0;
            for (JsonNode element : node) {
                Object value = fromJson(element, list.element(), column + "[" + index + "]", unknowns);
                if (value == null && list.elementsRequired()) {
                    throw ValueException.missing(column + "[" + index + "]", column + "[" + index + "]");
                }
                values.add(value);
                index++;
            }
            return Collections.unmodifiableList(values);
        }
        DataType.Struct struct = (DataType.Struct) type;
        if (!node.isObject()) {
            throw ValueException.mismatch(column, node, "a struct (JSON object)");
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Column field : struct.fields()) {
            JsonNode child = node.get(field.name());
            Object value = child == null ? null : fromJson(child, field.type(), column + "." + field.name(), unknowns);
            if (value == null && field.required()) {
                throw ValueException.missing(column + "." + field.name(), column + "." + field.name());
            }
            values.put(field.name(), value);
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (struct.field(field.getKey()).isEmpty()) {
                unknowns.unknown(column + "." + field.getKey(), field.getValue());
            }
        }
        return Collections.unmodifiableMap(values);
    }

    /** A text field (a CSV value) as a value of {@code type}; null stays null. */
    static Object fromText(String text, DataType type, String column) throws ValueException {
        if (text == null) {
            return null;
        }
        if (type == DataType.STRING) {
            return text;
        }
        String value = text.strip();
        if (value.isEmpty()) {
            return null;
        }
        if (type instanceof DataType.Primitive primitive) {
            switch (primitive) {
                case BOOLEAN:
                    if (value.equalsIgnoreCase("true")) {
                        return Boolean.TRUE;
                    }
                    if (value.equalsIgnoreCase("false")) {
                        return Boolean.FALSE;
                    }
                    throw ValueException.mismatch(column, text, "a boolean (true or false)");
                case INT:
                    try {
                        return Integer.parseInt(value);
                    }
                    catch (NumberFormatException e) {
                        throw ValueException.mismatch(column, text, "an int");
                    }
                case LONG:
                    try {
                        return Long.parseLong(value);
                    }
                    catch (NumberFormatException e) {
                        throw ValueException.mismatch(column, text, "a long");
                    }
                case FLOAT:
                    return (float) floatingPoint(value, column, text, "a float");
                case DOUBLE:
                    return floatingPoint(value, column, text, "a double");
                case DATE:
                    try {
                        return date(Timestamps.parseDate(value), column, text);
                    }
                    catch (DateTimeException e) {
                        throw ValueException.mismatch(column, text, "a date (yyyy-mm-dd)");
                    }
                case TIMESTAMP:
                    return timestamp(value, column, text);
                case BINARY:
                    try {
                        return ByteBuffer.wrap(Base64.getDecoder().decode(value)).asReadOnlyBuffer();
                    }
                    catch (IllegalArgumentException e) {
                        throw ValueException.mismatch(column, text, "binary (base64 text)");
                    }
                default:
                    throw new IllegalStateException("unknown type " + type);
            }
        }
        if (type instanceof DataType.Decimal decimal) {
            if (!isNumber(value)) {
                throw ValueException.mismatch(column, text, "a " + decimal.spec());
            }
            return decimal(new BigDecimal(value), decimal, column, text);
        }
        JsonNode node;
        try {
            node = JSON.readTree(value);
        }
        catch (JsonProcessingException e) {
            throw ValueException.mismatch(column, text, "a " + type.spec() + " (as JSON)");
        }
        return fromJson(node, type, column, (path, unknown) -> {
            throw new ValueException(ValueException.TYPE_MISMATCH, "column '" + column + "': field " + path + " is not in " + type.spec());
        });
    }

    /**
     * A row value of another type (what {@code ParquetReader} makes of Iceberg's: String, Integer,
     * Long, Float, Double, Boolean, BigDecimal, LocalDate, Instant, ByteBuffer, List, struct maps)
     * as a value of {@code type}: the same type, a lossless widening, or text parsed by the text rules.
     */
    static Object fromPlain(Object value, DataType type, String column) throws ValueException {
        if (value == null) {
            return null;
        }
        if (value instanceof String text) {
            return fromText(text, type, column);
        }
        if (type == DataType.STRING) {
            return value instanceof ByteBuffer || value instanceof List<?> || value instanceof Map<?, ?> ? Values.json(value) : value.toString();
        }
        if (type instanceof DataType.Primitive primitive) {
            switch (primitive) {
                case BOOLEAN:
                    if (value instanceof Boolean) {
                        return value;
                    }
                    break;
                case INT:
                    if (value instanceof Integer) {
                        return value;
                    }
                    if (value instanceof Long number && number == number.intValue()) {
                        return number.intValue();
                    }
                    break;
                case LONG:
                    if (value instanceof Long) {
                        return value;
                    }
                    if (value instanceof Integer number) {
                        return number.longValue();
                    }
                    break;
                case FLOAT:
                    if (value instanceof Float) {
                        return value;
                    }
                    break;
                case DOUBLE:
                    if (value instanceof Double) {
                        return value;
                    }
                    if (value instanceof Float || value instanceof Integer || value instanceof Long) {
                        return ((Number) value).doubleValue();
                    }
                    break;
                case DATE:
                    if (value instanceof LocalDate date) {
                        return date;
                    }
                    break;
                case TIMESTAMP:
                    if (value instanceof Instant timestamp) {
                        return timestamp.getNano() % 1_000 == 0 ? timestamp : timestamp.truncatedTo(ChronoUnit.MICROS);
                    }
                    break;
                case BINARY:
                    if (value instanceof ByteBuffer bytes) {
                        return bytes.asReadOnlyBuffer();
                    }
                    break;
                default:
                    break;
            }
            throw ValueException.mismatch(column, value, "a " + type.spec());
        }
        if (type instanceof DataType.Decimal decimal) {
            if (value instanceof BigDecimal number) {
                return decimal(number, decimal, column, number);
            }
            if (value instanceof Integer || value instanceof Long) {
                return decimal(BigDecimal.valueOf(((Number) value).longValue()), decimal, column, value);
            }
            throw ValueException.mismatch(column, value, "a " + decimal.spec());
        }
        if (type instanceof DataType.ListOf list) {
            if (!(value instanceof List<?> elements)) {
                throw ValueException.mismatch(column, value, "a list");
            }
            List<Object> values = new ArrayList<>(elements.size());
            for (int i = 0; i < elements.size(); i++) {
                Object element = fromPlain(elements.get(i), list.element(), column + "[" + i + "]");
                if (element == null && list.elementsRequired()) {
                    throw ValueException.missing(column + "[" + i + "]", column + "[" + i + "]");
                }
                values.add(element);
            }
            return Collections.unmodifiableList(values);
        }
        DataType.Struct struct = (DataType.Struct) type;
        if (!(value instanceof Map<?, ?> fields)) {
            throw ValueException.mismatch(column, value, "a struct");
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Column field : struct.fields()) {
            Object converted = fromPlain(fields.get(field.name()), field.type(), column + "." + field.name());
            if (converted == null && field.required()) {
                throw ValueException.missing(column + "." + field.name(), column + "." + field.name());
            }
            values.put(field.name(), converted);
        }
        for (Object name : fields.keySet()) {
            if (struct.field(name.toString()).isEmpty() && fields.get(name) != null) {
                throw new ValueException(ValueException.TYPE_MISMATCH, "column '" + column + "': field " + name + " is not in " + type.spec());
            }
        }
        return Collections.unmodifiableMap(values);
    }

    private static double floatingPoint(String value, String column, String text, String expected) throws ValueException {
        if (!isNumber(value)) {
            String unsigned = value.startsWith("+") || value.startsWith("-") ? value.substring(1) : value;
            if (unsigned.equalsIgnoreCase("nan")) {
                return Double.NaN;
            }
            if (unsigned.equalsIgnoreCase("infinity") || unsigned.equalsIgnoreCase("inf")) {
                return value.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            }
            throw ValueException.mismatch(column, text, expected);
        }
        return Double.parseDouble(value);
    }

    /**
     * Whether {@code value} is a decimal number: an optional sign, digits with an optional point
     * (at least one digit on either side), and an optional exponent ({@code e} or {@code E}, an
     * optional sign, digits). No hex, no {@code d}/{@code f} suffixes, no white space.
     */
    static boolean isNumber(String value) {
        int length = value.length();
        int i = 0;
        if (i < length && (value.charAt(i) == '+' || value.charAt(i) == '-')) {
            i++;
        }
        int digits = 0;
        while (i < length && isDigit(value.charAt(i))) {
            i++;
            digits++;
        }
        if (i < length && value.charAt(i) == '.') {
            i++;
            while (i < length && isDigit(value.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < length && (value.charAt(i) == 'e' || value.charAt(i) == 'E')) {
            i++;
            if (i < length && (value.charAt(i) == '+' || value.charAt(i) == '-')) {
                i++;
            }
            int exponent = 0;
            while (i < length && isDigit(value.charAt(i))) {
                i++;
                exponent++;
            }
            if (exponent == 0) {
                return false;
            }
        }
        return i == length;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static BigDecimal decimal(BigDecimal value, DataType.Decimal type, String column, Object shown) throws ValueException {
        BigDecimal scaled;
        try {
            scaled = value.setScale(type.scale(), RoundingMode.UNNECESSARY);
        }
        catch (ArithmeticException e) {
            throw ValueException.mismatch(column, shown, "a " + type.spec() + " (more than " + type.scale() + " digits after the point)");
        }
        // more digits than the precision allows: |unscaled| >= 10^precision (a precision is at least 1, and 0 has one digit)
        if (scaled.precision() > type.precision()) {
            throw ValueException.mismatch(column, shown, "a " + type.spec() + " (more than " + type.precision() + " digits)");
        }
        return scaled;
    }

    private static LocalDate date(LocalDate date, String column, Object shown) throws ValueException {
        long day = date.toEpochDay();
        if (day != (int) day) {
            throw ValueException.mismatch(column, shown, "a date in range");
        }
        return date;
    }

    static Instant timestamp(String value, String column, Object shown) throws ValueException {
        return Timestamps.parse(value).orElseThrow(() -> ValueException.mismatch(column, shown, "a timestamp (ISO-8601, such as 2024-03-01T12:00:00Z)"));
    }

    /** Whether {@code value} reads as a timestamp by the text rules (for inference). */
    static boolean isTimestamp(String value) {
        try {
            timestamp(value, "", value);
            return value.length() > 10 && value.indexOf(':') > 0;
        }
        catch (ValueException e) {
            return false;
        }
    }

    /** Whether {@code value} reads as a date by the text rules (for inference). */
    static boolean isDate(String value) {
        if (value.length() != 10) {
            return false;
        }
        try {
            Timestamps.parseDate(value);
            return true;
        }
        catch (DateTimeException e) {
            return false;
        }
    }

    /** Whether {@code value} is a number by the text rules (for inference): 0 not, 1 whole (fits a long), 2 with a fraction or exponent. */
    static int numberKind(String value) {
        if (!isNumber(value)) {
            return 0;
        }
        if (value.indexOf('.') < 0 && value.indexOf('e') < 0 && value.indexOf('E') < 0) {
            try {
                Long.parseLong(value);
                return 1;
            }
            catch (NumberFormatException e) {
                return 2;
            }
        }
        return 2;
    }
}
