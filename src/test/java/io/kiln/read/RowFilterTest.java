package io.kiln.read;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;

import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;

class RowFilterTest {
    private static final Schema SCHEMA = new Schema(
            required(1, "id", Types.StringType.get()),
            optional(2, "lang", Types.StringType.get()),
            optional(3, "tokens", Types.IntegerType.get()),
            optional(4, "offset", Types.LongType.get()),
            optional(5, "score", Types.FloatType.get()),
            optional(6, "weight", Types.DoubleType.get()),
            optional(7, "clean", Types.BooleanType.get()),
            optional(8, "embedding", Types.ListType.ofRequired(9, Types.FloatType.get())),
            optional(10, "and", Types.StringType.get()));

    @Test
    void conditionsJoinedByAndBecomeOneIcebergExpression() {
        RowFilter filter = RowFilter.parse("lang = 'en' AND tokens >= 10 and score < 0.5 and clean = true", SCHEMA);
        assertThat(filter.columns()).containsExactly("lang", "tokens", "score", "clean");
        assertThat(filter.expression().toString()).isEqualTo(Expressions.and(
                Expressions.and(Expressions.and(Expressions.equal("lang", "en"), Expressions.greaterThanOrEqual("tokens", 10)),
                        Expressions.lessThan("score", 0.5f)), Expressions.equal("clean", true)).toString());
        assertThat(filter.text()).isEqualTo("lang = 'en' AND tokens >= 10 and score < 0.5 and clean = true");
    }

    @Test
    void decidesEveryOperatorOnRows() {
        Record row = row("doc-1", "en", 42, 7L, 0.25f, 1.5, true);
        assertThat(matches("id = 'doc-1'", row)).isTrue();
        assertThat(matches("id != 'doc-1'", row)).isFalse();
        assertThat(matches("id <> 'doc-2'", row)).isTrue();
        assertThat(matches("tokens < 43 and tokens <= 42 and tokens > 41 and tokens >= 42", row)).isTrue();
        assertThat(matches("tokens > 42", row)).isFalse();
        assertThat(matches("offset = 7 and weight = 1.5 and score <= 0.25", row)).isTrue();
        assertThat(matches("lang in ('de', 'en')", row)).isTrue();
        assertThat(matches("lang not in ('de', 'en')", row)).isFalse();
        assertThat(matches("tokens in (1, 42)", row)).isTrue();
        assertThat(matches("id starts_with 'doc-'", row)).isTrue();
        assertThat(matches("id STARTS_WITH 'x'", row)).isFalse();
        assertThat(matches("lang is not null and lang IS NOT NULL", row)).isTrue();
        assertThat(matches("clean = false", row)).isFalse();
    }

    @Test
    void nullSatisfiesOnlyIsNullLikeInSql() {
        Record row = row("doc-1", null, null, null, null, null, null);
        assertThat(matches("lang is null and tokens is null", row)).isTrue();
        assertThat(matches("lang != 'en'", row)).isFalse();
        assertThat(matches("lang not in ('en')", row)).isFalse();
        assertThat(matches("lang = 'en'", row)).isFalse();
        assertThat(matches("tokens < 5", row)).isFalse();
        assertThat(matches("lang starts_with ''", row)).isFalse();
    }

    @Test
    void stringsCompareByCodePointAndQuotesAreDoubled() {
        // U+FB01 sorts below U+1F600 by code point, above it by UTF-16 unit
        Record row = row("\uFB01", "it's", 0, 0L, 0f, 0d, false);
        assertThat(matches("id < '\uD83D\uDE00'", row)).isTrue();
        assertThat(matches("lang = 'it''s'", row)).isTrue();
    }

    @Test
    void quotedColumnNamesMayBeKeywords() {
        Record row = GenericRecord.create(SCHEMA);
        row.setField("id", "x");
        row.setField("and", "y");
        assertThat(matches("\"and\" = 'y' and id = 'x'", row)).isTrue();
    }

    @Test
    void numbersMustFitTheColumnsType() {
        assertInvalid("tokens = 1.5", "column 'tokens' is int; 1.5 at position 10 is not a whole number in its range");
        assertInvalid("tokens = 3000000000", "is not a whole number in its range");
        assertThat(RowFilter.parse("offset = 3000000000", SCHEMA).expression().toString()).contains("3000000000");
        assertThat(RowFilter.parse("score > -1e3", SCHEMA).columns()).containsExactly("score");
    }

    @Test
    void literalsMustSuitTheColumn() {
        assertInvalid("id = 42", "column 'id' is a string; quote the literal at position 6: '42'");
        assertInvalid("tokens = '42'", "column 'tokens' is int; compare it with a number, not the string at position 10");
        assertInvalid("clean = 'yes'", "compare it with true or false");
        assertInvalid("id = true", "suits only boolean columns");
        assertInvalid("tokens starts_with 'a'", "starts_with needs a string column; 'tokens' is int");
        assertInvalid("embedding = 1", "column 'embedding' is list<float> and cannot be compared with the number");
    }

    @Test
    void syntaxErrorsSayWhereAndWhat() {
        assertInvalid("", "Invalid filter: the filter is empty");
        assertInvalid("colour = 'red'", "unknown column 'colour' at position 1; columns: id, lang, tokens, offset, score, weight, clean, embedding, and");
        assertInvalid("id 'x'", "expected an operator (=, !=, <, <=, >, >=, in, not in, is null, is not null, starts_with) after 'id' at position 4 (near \"'x'\")");
        assertInvalid("id = 'x", "unterminated string starting at position 6");
        assertInvalid("id = 'x' or id = 'y'", "expected 'and' or the end of the filter at position 10 (near \"or id = 'y'\")");
        assertInvalid("id in 'x'", "expected '(' after in at position 7");
        assertInvalid("id in ('x' 'y')", "expected ',' or ')' in the list at position 12");
        assertInvalid("id =", "expected a literal after = at the end of the filter");
        assertInvalid("id = 'x' and", "expected a column name at the end of the filter");
        assertInvalid("lang is maybe", "expected an operator");
    }

    private static void assertInvalid(String filter, String message) {
        assertThatThrownBy(() -> RowFilter.parse(filter, SCHEMA))
                .isInstanceOf(KilnException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((KilnException) e).code()).isEqualTo(ErrorCode.INVALID_FILTER));
    }

    private static boolean matches(String filter, Record row) {
        return RowFilter.parse(filter, SCHEMA).predicate(SCHEMA).test(row);
    }

    private static Record row(String id, String lang, Integer tokens, Long offset, Float score, Double weight, Boolean clean) {
        Record row = GenericRecord.create(SCHEMA);
        row.setField("id", id);
        row.setField("lang", lang);
        row.setField("tokens", tokens);
        row.setField("offset", offset);
        row.setField("score", score);
        row.setField("weight", weight);
        row.setField("clean", clean);
        row.setField("embedding", Arrays.asList(0.5f, 1f));
        return row;
    }
}
