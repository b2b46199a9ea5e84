package io.kiln.transform.text;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingResult;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;

import io.kiln.transform.Column;
import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepDefinition;
import io.kiln.transform.StepId;
import io.kiln.transform.StepParameters;
import io.kiln.transform.TextStep;
import io.kiln.transform.Transform;

/**
 * {@code tokenize}: BPE token ids of the text with jtokkit, the same ids as OpenAI's tiktoken.
 * Special tokens get no special treatment: a text that contains {@code <|endoftext|>} is encoded
 * as ordinary text. Sets {@code token_ids} ({@code list<int>}) and {@code token_count}.
 *
 * <p>Parameters: {@code encoding} ({@code cl100k_base} by default, or {@code o200k_base},
 * {@code p50k_base}, {@code p50k_edit}, {@code r50k_base}); {@code maxTokens} (optional): a text
 * of more tokens is dropped as {@code too-many-tokens}. The encoding goes into the recipe through
 * {@link Transform#fingerprint()} as {@code tokenizer}.
 */
public final class TokenizeStep implements StepDefinition {
    public static final String NAME = "tokenize";
    public static final int VERSION = 1;
    private static final StepId ID = new StepId(NAME, VERSION);
    public static final String TOKEN_IDS = "token_ids";
    public static final String TOKEN_COUNT = "token_count";
    public static final String TOO_MANY_TOKENS = "too-many-tokens";
    static final List<Column> COLUMNS = List.of(
            Column.intList(TOKEN_IDS, "BPE token ids of the text (tiktoken-compatible, see the recipe's tokenizer)"),
            Column.integer(TOKEN_COUNT, "number of BPE tokens of the text"));

    @Override
    public StepId id() {
        return ID;
    }

    @Override
    public Transform bind(Map<String, Object> parameters) {
        StepParameters.requireOnly(parameters, Set.of("encoding", "maxTokens", "column"));
        EncodingType type = BpeEncodings.parameter(parameters, "encoding");
        Optional<Integer> maxTokens = positiveInteger(parameters, "maxTokens");
        return new Tokenize(id(), type, BpeEncodings.encoding(type), maxTokens.orElse(-1), StepParameters.column(parameters, "column"));
    }

    static Optional<Integer> positiveInteger(Map<String, Object> parameters, String name) {
        Object value = parameters.get(name);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof Integer number) || number < 1) {
            throw new InvalidStepParameterException(name, "must be a positive integer, was " + value);
        }
        return Optional.of(number);
    }

    private record Tokenize(StepId id, EncodingType type, Encoding encoding, int maxTokens, String column) implements TextStep {
        @Override
        public Outcome apply(Row row, String text) {
            IntArrayList ids;
            if (maxTokens < 0) {
                ids = encoding.encodeOrdinary(text);
            }
            else {
                // stops encoding as soon as the text is known to be too long
                EncodingResult result = encoding.encodeOrdinary(text, maxTokens);
                if (result.isTruncated()) {
                    return Outcome.drop(id, TOO_MANY_TOKENS, "more than " + maxTokens + " " + type.getName() + " tokens");
                }
                ids = result.getTokens();
            }
            return Outcome.emit(row.with(Map.of(TOKEN_IDS, new TokenIds(ids), TOKEN_COUNT, ids.size())));
        }

        @Override
        public List<Column> columns() {
            return COLUMNS;
        }

        @Override
        public Map<String, String> fingerprint() {
            return Map.of("tokenizer", type.getName(), "tokenizer-library", BpeEncodings.LIBRARY,
                    "kiln.tokenizer", type.getName() + " (" + BpeEncodings.LIBRARY + ")");
        }
    }
}
