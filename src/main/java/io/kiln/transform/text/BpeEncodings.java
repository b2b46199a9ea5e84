package io.kiln.transform.text;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;

import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.StepParameters;

/**
 * The BPE encodings of jtokkit (the same ids as OpenAI's tiktoken), loaded once per JVM and
 * shared: a jtokkit {@link Encoding} is thread-safe.
 */
final class BpeEncodings {
    static final String DEFAULT = EncodingType.CL100K_BASE.getName();
    static final Set<String> NAMES = names();
    /** Goes into the step fingerprints beside the encoding name: the library that produced the ids. */
    static final String LIBRARY = "jtokkit 1.1.0";

    private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();
    private static final Map<EncodingType, TokenLengths> LENGTHS = new EnumMap<>(EncodingType.class);

    private BpeEncodings() {}

    private static Set<String> names() {
        Set<String> names = new TreeSet<>();
        for (EncodingType type : EncodingType.values()) {
            names.add(type.getName());
        }
        return Set.copyOf(names);
    }

    /** The {@code encoding} parameter: one of jtokkit's encodings, {@code cl100k_base} when absent. */
    static EncodingType parameter(Map<String, Object> parameters, String name) {
        String value = StepParameters.oneOf(parameters, name, DEFAULT, NAMES);
        return EncodingType.fromName(value).orElseThrow(() -> new InvalidStepParameterException(name, "unknown encoding " + value));
    }

    static Encoding encoding(EncodingType type) {
        return REGISTRY.getEncoding(type);
    }

    static synchronized TokenLengths lengths(EncodingType type) {
        return LENGTHS.computeIfAbsent(type, key -> new TokenLengths(encoding(key)));
    }

    /**
     * UTF-8 byte length of each token id, decoded once per id on first use. Racy but safe: every
     * writer stores the same value, and an int store is atomic.
     */
    static final class TokenLengths {
        private static final int UNKNOWN = -1;
        private final Encoding encoding;
        private volatile int[] lengths = new int[0];

        private TokenLengths(Encoding encoding) {
            this.encoding = encoding;
        }

        int length(int token) {
            int[] known = lengths;
            if (token < known.length) {
                int length = known[token];
                if (length != UNKNOWN) {
                    return length;
                }
            }
            else {
                known = grow(token);
            }
            IntArrayList single = new IntArrayList(1);
            single.add(token);
            int length = encoding.decodeBytes(single).length;
            known[token] = length;
            return length;
        }

        private synchronized int[] grow(int token) {
            int[] known = lengths;
            if (token >= known.length) {
                int[] larger = Arrays.copyOf(known, Math.max(token + 1, Math.max(1024, known.length * 2)));
                Arrays.fill(larger, known.length, larger.length, UNKNOWN);
                lengths = larger;
                known = larger;
            }
            return known;
        }
    }
}
