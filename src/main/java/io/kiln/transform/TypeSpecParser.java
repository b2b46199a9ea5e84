package io.kiln.transform;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A small recursive-descent parser of {@link DataType#spec()} texts. */
final class TypeSpecParser {
    private final String text;
    private int position;

    TypeSpecParser(String text) {
        this.text = text;
    }

    DataType type() {
        skipSpaces();
        String word = word();
        switch (word.toLowerCase(Locale.ROOT)) {
            case "string":
                return DataType.STRING;
            case "boolean":
                return DataType.BOOLEAN;
            case "int":
            case "integer":
                return DataType.INT;
            case "long":
            case "bigint":
                return DataType.LONG;
            case "float":
                return DataType.FLOAT;
            case "double":
                return DataType.DOUBLE;
            case "date":
                return DataType.DATE;
            case "timestamp":
                return DataType.TIMESTAMP;
            case "binary":
                return DataType.BINARY;
            case "decimal": {
                expect('(');
                int precision = number();
                expect(',');
                int scale = number();
                expect(')');
                try {
                    return new DataType.Decimal(precision, scale);
                }
                catch (IllegalArgumentException e) {
                    throw error(e.getMessage());
                }
            }
            case "list":
            case "array": {
                expect('<');
                DataType element = type();
                expect('>');
                return new DataType.ListOf(element);
            }
            case "struct": {
                expect('<');
                List<Column> fields = new ArrayList<>();
                do {
                    skipSpaces();
                    String name = word();
                    expect(':');
                    DataType type = type();
                    boolean required = notNull();
                    try {
                        fields.add(new Column(name, type, required, ""));
                    }
                    catch (IllegalArgumentException e) {
                        throw error(e.getMessage());
                    }
                }
                while (accept(','));
                expect('>');
                try {
                    return new DataType.Struct(fields);
                }
                catch (IllegalArgumentException e) {
                    throw error(e.getMessage());
                }
            }
            default:
                throw error(word.isEmpty() ? "a type is missing" : "unknown type '" + word + "'; known types: " + DataType.knownTypes());
        }
    }

    private boolean notNull() {
        int start = position;
        skipSpaces();
        String not = word();
        if (not.equalsIgnoreCase("not")) {
            skipSpaces();
            if (word().equalsIgnoreCase("null")) {
                return true;
            }
        }
        position = start;
        return false;
    }

    private String word() {
        int start = position;
        while (position < text.length() && (Character.isLetterOrDigit(text.charAt(position)) || text.charAt(position) == '_')) {
            position++;
        }
        return text.substring(start, position);
    }

    private int number() {
        skipSpaces();
        int start = position;
        while (position < text.length() && Character.isDigit(text.charAt(position))) {
            position++;
        }
        if (start == position || position - start > 3) {
            throw error("a number is expected");
        }
        return Integer.parseInt(text.substring(start, position));
    }

    private void expect(char c) {
        if (!accept(c)) {
            throw error("'" + c + "' is expected");
        }
    }

    private boolean accept(char c) {
        skipSpaces();
        if (position < text.length() && text.charAt(position) == c) {
            position++;
            return true;
        }
        return false;
    }

    void skipSpaces() {
        while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
            position++;
        }
    }

    boolean atEnd() {
        return position == text.length();
    }

    IllegalArgumentException error(String message) {
        return new IllegalArgumentException("'" + text + "' is not a type: " + message + " (at character " + (position + 1) + ")");
    }
}
