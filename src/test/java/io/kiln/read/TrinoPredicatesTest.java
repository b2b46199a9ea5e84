package io.kiln.read;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

/** The SQL a filter becomes; TrinoIT runs it against real Trino. */
class TrinoPredicatesTest {
    private static final Schema SCHEMA = new Schema(
            Types.NestedField.required(1, "id", Types.StringType.get()),
            Types.NestedField.optional(2, "ratio", Types.DoubleType.get()),
            Types.NestedField.optional(3, "score", Types.FloatType.get()),
            Types.NestedField.optional(4, "seen_at", Types.TimestampType.withZone()),
            Types.NestedField.optional(5, "local", Types.TimestampType.withoutZone()),
            Types.NestedField.optional(6, "price", Types.DecimalType.of(10, 2)),
            Types.NestedField.optional(7, "born", Types.DateType.get()),
            Types.NestedField.optional(8, "and", Types.BooleanType.get()));

    private static String sql(String filter) {
        return RowFilter.parse(filter, SCHEMA).trinoPredicate(SCHEMA);
    }

    @Test
    void rendersEachOperatorWithTypedLiterals() {
        assertThat(sql("id = 'it''s' and \"and\" = true")).isEqualTo("\"id\" = 'it''s' AND \"and\" = TRUE");
        assertThat(sql("id in ('a', 'b')")).isEqualTo("\"id\" IN ('a', 'b')");
        assertThat(sql("id not in ('a')")).isEqualTo("\"id\" NOT IN ('a')");
        assertThat(sql("id starts_with 'ab' and id is not null")).isEqualTo("starts_with(\"id\", 'ab') AND \"id\" IS NOT NULL");
        assertThat(sql("price >= 12.5 and born < '1900-01-01'")).isEqualTo("\"price\" >= DECIMAL '12.50' AND \"born\" < DATE '1900-01-01'");
        assertThat(sql("seen_at = '2024-03-01T12:30:45.5Z'")).isEqualTo("\"seen_at\" = TIMESTAMP '2024-03-01 12:30:45.500000 UTC'");
        assertThat(sql("local = '2024-03-01T12:30:45Z'")).isEqualTo("\"local\" = TIMESTAMP '2024-03-01 12:30:45.000000'");
    }

    /** The filter holds NaN above every number; SQL's comparisons are false for it. */
    @Test
    void floatComparisonsKeepTheFiltersNaNOrder() {
        assertThat(sql("ratio > 1")).isEqualTo("(\"ratio\" > DOUBLE '1.0' OR is_nan(\"ratio\"))");
        assertThat(sql("ratio != 1")).isEqualTo("(\"ratio\" <> DOUBLE '1.0' OR is_nan(\"ratio\"))");
        assertThat(sql("ratio < 1")).isEqualTo("\"ratio\" < DOUBLE '1.0'");
        assertThat(sql("score >= 0.5")).isEqualTo("(\"score\" >= REAL '0.5' OR is_nan(\"score\"))");
        assertThat(sql("ratio not in (1, 2)")).isEqualTo("(\"ratio\" NOT IN (DOUBLE '1.0', DOUBLE '2.0') OR is_nan(\"ratio\"))");
        assertThat(sql("ratio in (1, 2)")).isEqualTo("\"ratio\" IN (DOUBLE '1.0', DOUBLE '2.0')");
    }
}
