package io.kiln.source;

import static java.util.Objects.requireNonNull;

import java.nio.charset.Charset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How a CSV file is written (RFC 4180 by default): the delimiter, the quote and escape characters,
 * whether the first record is a header, the text that stands for a null, and the encoding.
 *
 * <p>A quoted field is always text: {@code ""} is the empty string and {@code "NA"} the string NA,
 * even when {@code NA} is the null marker. An unquoted field equal to {@code nullValue} is null; with
 * the default marker, the empty string, an unquoted empty field is null. A UTF byte order mark is
 * skipped. CRLF, LF and quoted fields that span lines are read as RFC 4180 says.
 */
public record CsvOptions(char delimiter, Optional<Character> quote, Optional<Character> escape, boolean header, String nullValue, Charset encoding) {
    public static final CsvOptions DEFAULT = new CsvOptions(',', Optional.of('"'), Optional.empty(), true, "", java.nio.charset.StandardCharsets.UTF_8);

    public CsvOptions {
        requireNonNull(quote, "quote is null");
        requireNonNull(escape, "escape is null");
        requireNonNull(nullValue, "nullValue is null");
        requireNonNull(encoding, "encoding is null");
        if (quote.isPresent() && quote.get() == delimiter || escape.isPresent() && escape.get() == delimiter) {
            throw new IllegalArgumentException("the quote and escape characters must differ from the delimiter");
        }
    }

    /** The options as the recipe records them: they change how values are read. */
    public Map<String, Object> recipe() {
        Map<String, Object> recipe = new LinkedHashMap<>();
        recipe.put("delimiter", String.valueOf(delimiter));
        recipe.put("quote", quote.map(String::valueOf).orElse(""));
        recipe.put("escape", escape.map(String::valueOf).orElse(""));
        recipe.put("header", header);
        recipe.put("nullValue", nullValue);
        recipe.put("encoding", encoding.name());
        return recipe;
    }
}
