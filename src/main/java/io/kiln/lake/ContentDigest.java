package io.kiln.lake;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * An order-independent digest of a multiset of rows: the sum, modulo 2^256, of the sha256 of
 * each row's canonical encoding, finished with the row count. The same rows in any order, split
 * across any number of accumulators and merged, give the same digest; a duplicated row changes it.
 * An accumulator is not thread-safe; give each thread its own and {@link #merge} them.
 */
public final class ContentDigest {
    private final long[] sum = new long[4];
    private final MessageDigest sha256 = newSha256();
    private byte[] row = new byte[512];
    private int length;
    private long rows;
    /** Whether the row being assembled has bytes in {@link #sha256} already (a large binary value). */
    private boolean hashedAhead;
    /** The names whose fields {@link #appendName} encoded last, and those fields as far as it encoded them. */
    private io.kiln.transform.Row.Names encodedNames;
    private Field[] encodedFields;

    /** A field encoded once, for a value that every row of an input repeats (its URI, its sha256, the recipe). Immutable. */
    public static final class Field {
        private final byte[] encoding;

        private Field(byte[] encoding) {
            this.encoding = encoding;
        }

        public static Field of(String value) {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            byte[] encoding = new byte[5 + bytes.length];
            encoding[0] = 1;
            encoding[1] = (byte) (bytes.length >>> 24);
            encoding[2] = (byte) (bytes.length >>> 16);
            encoding[3] = (byte) (bytes.length >>> 8);
            encoding[4] = (byte) bytes.length;
            System.arraycopy(bytes, 0, encoding, 5, bytes.length);
            return new Field(encoding);
        }

        /**
         * The 32 bytes of the sha256 of {@code values}, each encoded as a text field: what a row of content digest
         * format 3 starts with, the values that every row of an input repeats (its URI, its sha256, the recipe) hashed once.
         */
        public static Field hashOf(String... values) {
            ContentDigest encoder = new ContentDigest();
            for (String value : values) {
                encoder.append(value);
            }
            encoder.sha256.update(encoder.row, 0, encoder.length);
            return new Field(encoder.sha256.digest());
        }
    }

    /** Adds one row, given as its fields in schema order (null allowed). */
    public void add(String... fields) {
        beginRow();
        for (String field : fields) {
            append(field);
        }
        endRow();
    }

    // A row's encoding is assembled in one buffer and hashed with one update: per field a null marker (0), or 1, the
    // UTF-8 length (4 bytes, big-endian) and the UTF-8 bytes. beginRow, the appends, then endRow add one row.

    /** Starts a row: its fields follow with the {@code append} methods, in schema order, then {@link #endRow()}. */
    public void beginRow() {
        length = 0;
        if (hashedAhead) {
            sha256.reset();
            hashedAhead = false;
        }
    }

    /** Appends a text field (null allowed). */
    public void append(String field) {
        if (field == null) {
            reserve(1);
            row[length++] = 0;
            return;
        }
        reserve(5 + field.length());
        int start = length + 5;
        int end = ascii(field, start);
        if (end < 0) {
            byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
            reserve(5 + bytes.length);
            System.arraycopy(bytes, 0, row, start, bytes.length);
            end = start + bytes.length;
        }
        header(end - start);
        length = end;
    }

    /** Appends a text field given as its UTF-8 bytes: the same as appending the text. */
    public void appendUtf8(byte[] utf8, int size) {
        reserve(5 + size);
        System.arraycopy(utf8, 0, row, length + 5, size);
        header(size);
        length += 5 + size;
    }

    /**
     * Appends the name of the column at {@code index} of {@code names} as a text field: the same as appending the
     * name, each name encoded once while rows share their names.
     */
    public void appendName(io.kiln.transform.Row.Names names, int index) {
        if (names != encodedNames) {
            encodedNames = names;
            encodedFields = new Field[names.size()];
        }
        Field field = encodedFields[index];
        if (field == null) {
            field = Field.of(names.name(index));
            encodedFields[index] = field;
        }
        append(field);
    }

    /** Appends a field encoded once. */
    public void append(Field encoded) {
        reserve(encoded.encoding.length);
        System.arraycopy(encoded.encoding, 0, row, length, encoded.encoding.length);
        length += encoded.encoding.length;
    }

    /** Appends a whole number as its decimal text: the same as appending {@code Long.toString(value)}, without making the string. */
    public void append(long value) {
        reserve(5 + 20);
        int start = length + 5;
        int end = start;
        long rest = value;
        if (rest < 0) {
            row[end++] = '-';
        }
        else {
            rest = -rest;
        }
        int digitsStart = end;
        // digits of the negative value, from the lowest: works for Long.MIN_VALUE too
        do {
            row[end++] = (byte) ('0' - rest % 10);
            rest /= 10;
        }
        while (rest != 0);
        endDigits(start, digitsStart, end);
    }

    /** Ends a field of digits written lowest first from {@code digitsStart} to {@code end}: puts them in order and writes its header. */
    private void endDigits(int start, int digitsStart, int end) {
        for (int i = digitsStart, j = end - 1; i < j; i++, j--) {
            byte swap = row[i];
            row[i] = row[j];
            row[j] = swap;
        }
        header(end - start);
        length = end;
    }

    /** Ends the row and adds it. */
    public void endRow() {
        sha256.update(row, 0, length);
        addToSum(sha256.digest());
        hashedAhead = false;
        rows++;
    }

    private void header(int size) {
        row[length] = 1;
        row[length + 1] = (byte) (size >>> 24);
        row[length + 2] = (byte) (size >>> 16);
        row[length + 3] = (byte) (size >>> 8);
        row[length + 4] = (byte) size;
    }

    /**
     * Appends a decimal as its plain text, {@link java.math.BigDecimal#toPlainString()}, without making
     * the string, for decimals whose unscaled value has at most 18 digits and whose scale is 0 to 18;
     * false (and nothing appended) for any other, which the caller appends as text.
     */
    public boolean appendPlain(java.math.BigDecimal decimal) {
        int scale = decimal.scale();
        if (scale < 0 || scale > 18 || decimal.precision() > 18) {
            return false;
        }
        long unscaled = decimal.unscaledValue().longValue();
        reserve(5 + 20 + 2 + scale);
        int start = length + 5;
        int end = start;
        if (unscaled < 0) {
            row[end++] = '-';
        }
        long rest = unscaled < 0 ? unscaled : -unscaled;
        int digitsStart = end;
        int digits = 0;
        // digits of the negative value from the lowest, the point after {@code scale} of them, a 0 before a leading point
        do {
            if (digits == scale && scale > 0) {
                row[end++] = '.';
            }
            row[end++] = (byte) ('0' - rest % 10);
            rest /= 10;
            digits++;
        }
        while (rest != 0 || digits < scale);
        if (digits == scale && scale > 0) {
            row[end++] = '.';
            row[end++] = '0';
        }
        endDigits(start, digitsStart, end);
        return true;
    }

    // Content digest format 3 encodes a value by its type, not as text: a tag byte, then the value's bytes, numbers
    // big-endian. 0 null (in a list or a struct), 1 text (the length and the UTF-8 bytes, as a text field), 2 whole number
    // (an int or a long, 8 bytes), 3 double (8 bytes of Double.doubleToLongBits), 4 float (4 bytes of
    // Float.floatToIntBits), 5 boolean (1 byte, 0 or 1), 6 decimal whose unscaled value fits a long (the scale in 4 bytes,
    // the unscaled value in 8), 7 any other decimal (the scale, the length and the unscaled value's two's-complement
    // bytes), 8 date (the epoch day, 8 bytes), 9 timestamp (the epoch second, 8 bytes, and the nanosecond, 4), 10 binary
    // (the length and the bytes), 11 list (the count, then each element; a vector of floats is the list of its floats),
    // 12 struct (the count of fields with a value, then per field its name as text and its value).

    private static final int INLINE_BINARY_BYTES = 4096;

    /**
     * Appends a row's value in content digest format 3's typed encoding (see the tags above): a String, Integer, Long,
     * Double, Float, Boolean, BigDecimal, LocalDate, Instant, ByteBuffer (its remaining bytes, its position untouched),
     * float[], List or Map of these (a struct, its fields in their order); null inside lists and structs.
     *
     * @throws IllegalArgumentException for a value of any other class
     */
    public void appendValue(Object value) {
        if (value == null) {
            reserve(1);
            row[length++] = 0;
        }
        else if (value instanceof String text) {
            append(text);
        }
        else if (value instanceof Integer || value instanceof Long) {
            appendTagged(2, ((Number) value).longValue());
        }
        else if (value instanceof Double number) {
            appendTagged(3, Double.doubleToLongBits(number));
        }
        else if (value instanceof Float number) {
            reserve(5);
            row[length++] = 4;
            putInt(Float.floatToIntBits(number));
        }
        else if (value instanceof Boolean flag) {
            reserve(2);
            row[length++] = 5;
            row[length++] = (byte) (flag ? 1 : 0);
        }
        else if (value instanceof java.math.BigDecimal decimal) {
            appendDecimal(decimal);
        }
        else if (value instanceof java.time.LocalDate date) {
            appendTagged(8, date.toEpochDay());
        }
        else if (value instanceof java.time.Instant instant) {
            reserve(13);
            row[length++] = 9;
            putLong(instant.getEpochSecond());
            putInt(instant.getNano());
        }
        else if (value instanceof java.nio.ByteBuffer bytes) {
            appendBinary(bytes);
        }
        else if (value instanceof float[] vector) {
            reserve(5 + 5 * vector.length);
            row[length++] = 11;
            putInt(vector.length);
            for (float element : vector) {
                row[length++] = 4;
                putInt(Float.floatToIntBits(element));
            }
        }
        else if (value instanceof java.util.List<?> list) {
            reserve(5);
            row[length++] = 11;
            putInt(list.size());
            for (Object element : list) {
                appendValue(element);
            }
        }
        else if (value instanceof java.util.Map<?, ?> struct) {
            int fields = 0;
            for (Object field : struct.values()) {
                fields += field == null ? 0 : 1;
            }
            reserve(5);
            row[length++] = 12;
            putInt(fields);
            for (java.util.Map.Entry<?, ?> field : struct.entrySet()) {
                if (field.getValue() != null) {
                    append(field.getKey().toString());
                    appendValue(field.getValue());
                }
            }
        }
        else {
            throw new IllegalArgumentException("A row value of type " + value.getClass().getSimpleName() + " has no content digest encoding");
        }
    }

    private void appendTagged(int tag, long value) {
        reserve(9);
        row[length++] = (byte) tag;
        putLong(value);
    }

    /** Puts 8 bytes, big-endian, where there is room already. */
    private void putLong(long value) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            row[length++] = (byte) (value >>> shift);
        }
    }

    /** Puts 4 bytes, big-endian, where there is room already. */
    private void putInt(int value) {
        row[length++] = (byte) (value >>> 24);
        row[length++] = (byte) (value >>> 16);
        row[length++] = (byte) (value >>> 8);
        row[length++] = (byte) value;
    }

    private void appendDecimal(java.math.BigDecimal decimal) {
        java.math.BigInteger unscaled = decimal.unscaledValue();
        if (unscaled.bitLength() < 64) {
            reserve(13);
            row[length++] = 6;
            putInt(decimal.scale());
            putLong(unscaled.longValue());
            return;
        }
        byte[] bytes = unscaled.toByteArray();
        reserve(9 + bytes.length);
        row[length++] = 7;
        putInt(decimal.scale());
        putInt(bytes.length);
        System.arraycopy(bytes, 0, row, length, bytes.length);
        length += bytes.length;
    }

    /** A large value (an image, a recording) is hashed from its buffer, after what the row has so far, not copied into the row. */
    private void appendBinary(java.nio.ByteBuffer bytes) {
        int size = bytes.remaining();
        reserve(5);
        row[length++] = 10;
        putInt(size);
        if (size <= INLINE_BINARY_BYTES) {
            reserve(size);
            bytes.duplicate().get(row, length, size);
            length += size;
            return;
        }
        sha256.update(row, 0, length);
        sha256.update(bytes.duplicate());
        length = 0;
        hashedAhead = true;
    }

    /** Copies an ASCII string's bytes to {@code start} of the row buffer (which has room); -1 when it has other characters. */
    private int ascii(String field, int start) {
        int count = field.length();
        for (int i = 0; i < count; i++) {
            char c = field.charAt(i);
            if (c >= 0x80) {
                return -1;
            }
            row[start + i] = (byte) c;
        }
        return start + count;
    }

    /** Grows the row buffer so that {@code more} bytes fit after what the row has. */
    private void reserve(int more) {
        if (length + more > row.length) {
            row = java.util.Arrays.copyOf(row, Math.max(length + more, row.length * 2));
        }
    }

    public void merge(ContentDigest other) {
        long carry = 0;
        for (int i = 3; i >= 0; i--) {
            long a = sum[i];
            long b = other.sum[i];
            long result = a + b + carry;
            carry = (Long.compareUnsigned(result, a) < 0 || (carry == 1 && result == a)) ? 1 : 0;
            sum[i] = result;
        }
        rows += other.rows;
    }

    public long rows() {
        return rows;
    }

    /** The raw state, {@code <rows>:<hex sum>}: digests can be combined again from it, unlike from {@link #value()}. */
    public String state() {
        StringBuilder state = new StringBuilder().append(rows).append(':');
        for (long word : sum) {
            state.append(String.format("%016x", word));
        }
        return state.toString();
    }

    /** The digest whose {@link #state()} this is. */
    public static ContentDigest fromState(String state) {
        int colon = state.indexOf(':');
        if (colon < 0 || state.length() - colon - 1 != 64) {
            throw new IllegalArgumentException("not a content digest state: " + state);
        }
        ContentDigest digest = new ContentDigest();
        digest.rows = Long.parseLong(state.substring(0, colon));
        for (int i = 0; i < 4; i++) {
            digest.sum[i] = Long.parseUnsignedLong(state.substring(colon + 1 + 16 * i, colon + 17 + 16 * i), 16);
        }
        return digest;
    }

    /** Hex sha256 of the row count and the 256-bit sum. */
    public String value() {
        MessageDigest finish = newSha256();
        finish.update(longBytes(rows));
        for (long word : sum) {
            finish.update(longBytes(word));
        }
        return HexFormat.of().formatHex(finish.digest());
    }

    private void addToSum(byte[] hash) {
        long carry = 0;
        for (int i = 3; i >= 0; i--) {
            long word = 0;
            for (int j = 0; j < 8; j++) {
                word = (word << 8) | (hash[i * 8 + j] & 0xFF);
            }
            long a = sum[i];
            long result = a + word + carry;
            carry = (Long.compareUnsigned(result, a) < 0 || (carry == 1 && result == a)) ? 1 : 0;
            sum[i] = result;
        }
    }

    private static byte[] longBytes(long value) {
        byte[] bytes = new byte[8];
        for (int i = 7; i >= 0; i--) {
            bytes[i] = (byte) value;
            value >>>= 8;
        }
        return bytes;
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
