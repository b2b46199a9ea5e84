package io.kiln.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.CharConversionException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

class JsonProblemsTest {
    private static final JsonMapper MAPPER = JsonMapper.builder().disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION).build();

    @Test
    void namesTheNestingLimitInsteadOfTheParsersSetting() {
        assertThat(problem("[".repeat(1001))).isEqualTo("nested deeper than 1000 levels");
    }

    @Test
    void keepsThePlainPartOfTheParsersWords() {
        assertThat(problem("{\"a\": NaN}")).isEqualTo("Non-standard token 'NaN'");
        assertThat(problem("{\"a\": 1 // c\n}")).isEqualTo("Unexpected character ('/' (code 47)): maybe a (non-standard) comment?");
        assertThat(problem("{\"a\": 1,}")).isEqualTo("Unexpected character ('}' (code 125)): was expecting double-quote to start field name");
        assertThat(problem("{\"a\": ")).isEqualTo("Unexpected end-of-input within/between Object entries");
        assertThat(problem("{\"a\": \"x")).doesNotContain("Source").doesNotContain("REDACTED").startsWith("Unexpected end-of-input");
    }

    @Test
    void neverPassesOnClassOrFeatureNames() {
        for (String input : new String[] {"[".repeat(5000), "{\"a\": NaN}", "{\"a\": 'x'}", "{\"a\": \"x", "{\"a\": 1 /* c */}", "{\"a\": 01}", "[1, 2"}) {
            assertThat(problem(input)).as(input.length() > 40 ? input.substring(0, 40) : input)
                    .doesNotContain("`").doesNotContain("Feature").doesNotContain("StreamRead").doesNotContain("Exception").doesNotContain("[Source");
        }
        assertThat(JsonProblems.describe(new CharConversionException("Invalid UTF-32 character 0x7fffffff (above 0x0010ffff) at char #1, byte #7)")))
                .isEqualTo("Invalid UTF-32 character 0x7fffffff (above 0x0010ffff) at char #1, byte #7)");
        assertThat(JsonProblems.describe(new CharConversionException("see com.fasterxml.jackson.core.io.UTF32Reader"))).isEqualTo("it is not well-formed JSON");
    }

    private static String problem(String json) {
        try {
            MAPPER.readTree(json.getBytes(StandardCharsets.UTF_8));
        }
        catch (JsonProcessingException e) {
            return JsonProblems.describe(e);
        }
        catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("parsed: " + json);
    }
}
