package io.kiln.error;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

/**
 * What is wrong with a piece of JSON, in plain words for a reject's detail or an API message:
 * the parser's own wording, without its class, feature or method names and without source
 * locations (which may quote the input).
 */
public final class JsonProblems {
    private static final Pattern LIMIT = Pattern.compile("maximum allowed \\((\\d+)");
    private static final Pattern LOCATION = Pattern.compile("\\[Source: [^\\]]*?line: (\\d+), column: (\\d+)\\]");
    /** A clause that names a parser feature or method in backticks: ": enable `JsonReadFeature.X` to allow", "(from `X()`)". */
    private static final Pattern NAMING_CLAUSE = Pattern.compile("\\s*(?:[:;,]\\s*[^:;,()`]*`[^`]*`[^:;,()]*|\\([^()`]*`[^`]*`[^()]*\\)|\\([^()]*Feature '[^()]*\\))");
    private static final Pattern INTERNAL = Pattern.compile("`|com\\.fasterxml|jackson|Exception|Feature '|StreamRead|JsonRead", Pattern.CASE_INSENSITIVE);

    private JsonProblems() {}

    /** Plain words for why a parser refused its input. */
    public static String describe(JsonProcessingException e) {
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (e instanceof StreamConstraintsException) {
            return limit(message);
        }
        return plain(message);
    }

    /** Plain words for an I/O failure while parsing (a broken character encoding, usually). */
    public static String describe(IOException e) {
        if (e instanceof JsonProcessingException json) {
            return describe(json);
        }
        return plain(e.getMessage() == null ? "" : e.getMessage());
    }

    private static String limit(String message) {
        Matcher limit = LIMIT.matcher(message);
        String max = limit.find() ? limit.group(1) : null;
        if (max == null) {
            return "it exceeds a size limit of the JSON reader";
        }
        if (message.contains("nesting depth")) {
            return "nested deeper than " + max + " levels";
        }
        if (message.startsWith("String value length")) {
            return "a string is longer than " + max + " characters";
        }
        if (message.startsWith("Number value length")) {
            return "a number is longer than " + max + " digits";
        }
        if (message.startsWith("Name length")) {
            return "a field name is longer than " + max + " characters";
        }
        if (message.startsWith("Document length") || message.startsWith("Token count")) {
            return "it is longer than the limit of " + max;
        }
        return "it exceeds a size limit of the JSON reader (" + max + ")";
    }

    private static String plain(String message) {
        String plain = LOCATION.matcher(message).replaceAll("line $1, column $2");
        plain = NAMING_CLAUSE.matcher(plain).replaceAll("").strip();
        if (plain.isEmpty() || INTERNAL.matcher(plain).find()) {
            return "it is not well-formed JSON";
        }
        return plain;
    }
}
