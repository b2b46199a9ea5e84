package io.kiln.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The DQDL rule types the engine runs (DQDL 1.0.0 parser, Deequ 2.1.0 translator), each with the
 * outcome it must have on five known rows. checks/README.md lists the same rules.
 */
class DqdlRuleTypesIT {
    private static final Map<String, RuleResult.Outcome> RULES = new LinkedHashMap<>();

    static {
        passes("RowCount > 0");
        passes("RowCount = 5");
        passes("RowCount between 4 and 6");
        fails("RowCount between 5 and 10"); // between excludes its bounds
        passes("ColumnCount = 6");
        passes("Completeness \"id\" > 0.9");
        passes("IsComplete \"id\"");
        passes("Uniqueness \"id\" = 1.0");
        passes("IsUnique \"id\"");
        fails("IsUnique \"lang\"");
        passes("IsPrimaryKey \"id\"");
        passes("DistinctValuesCount \"lang\" = 2");
        passes("UniqueValueRatio \"id\" = 1.0");
        passes("Entropy \"id\" > 1");
        passes("ColumnExists \"id\"");
        passes("ColumnDataType \"token_count\" = \"INTEGER\"");
        passes("ColumnNamesMatchPattern \"[a-z_]+\"");
        passes("ColumnCorrelation \"token_count\" \"length\" > 0.9");
        passes("Mean \"token_count\" between 5 and 6");
        passes("Sum \"token_count\" = 28");
        passes("StandardDeviation \"token_count\" < 3");
        passes("ColumnLength \"text\" >= 3");
        passes("ColumnLength \"text\" <= 10");
        fails("ColumnLength \"text\" between 3 and 10");
        passes("ColumnLength \"text\" between 2 and 11");
        passes("ColumnValues \"lang\" in [\"en\", \"de\"]");
        fails("ColumnValues \"lang\" in [\"en\"]");
        // "with threshold" is parsed but not applied by Deequ 2.1.0 + DQDL 1.0.0: every value must match
        fails("ColumnValues \"lang\" in [\"en\"] with threshold > 0.5");
        passes("ColumnValues \"text\" matches \"[a-j]+\"");
        passes("ColumnValues \"text\" matches \"[a-z]+[.]?\"");
        passes("ColumnValues \"token_count\" between 2 and 11");
        passes("ColumnValues \"token_count\" > 0");
        passes("ColumnValues \"text\" != EMPTY");
        passes("ColumnValues \"text\" != WHITESPACES_ONLY");
        passes("DataFreshness \"created\" <= 24 hours");
        passes("CustomSql \"select count(*) from primary\" between 4 and 6");
        passes("CustomSql \"select id from primary where token_count > 0\"");
        passes("AggregateMatch \"sum(token_count)\" \"sum(length)\" = 1.0");
        passes("IsComplete \"text\" where \"token_count > 3\"");
        passes("(IsComplete \"id\") and (IsUnique \"id\")");
        passes("(RowCount > 100) or (IsUnique \"id\")");
        fails("(RowCount > 100) and (IsUnique \"id\")");
    }

    private static void passes(String rule) {
        RULES.put(rule, RuleResult.Outcome.PASSED);
    }

    private static void fails(String rule) {
        RULES.put(rule, RuleResult.Outcome.FAILED);
    }

    @TestFactory
    Stream<DynamicTest> eachRuleTypeHasTheExpectedOutcome() {
        Suite suite = SuiteParser.parse("Rules = [\n    " + String.join(",\n    ", RULES.keySet()) + "\n]");
        List<RuleResult> results = SharedSpark.runtime().withSession(spark -> {
            Dataset<Row> data = spark.sql("""
                    select * from values
                      ('a', 'abc', 3, 3, 'en', current_timestamp()),
                      ('b', 'abcd', 4, 4, 'en', current_timestamp()),
                      ('c', 'abcde', 5, 5, 'de', current_timestamp()),
                      ('d', 'abcdef', 6, 6, 'en', current_timestamp()),
                      ('e', 'abcdefghij', 10, 10, 'en', current_timestamp())
                    as t(id, text, token_count, length, lang, created)""");
            data.createOrReplaceTempView(Verifier.PRIMARY_VIEW);
            try {
                return Verifier.evaluate(data, suite, List.of(), 0L).rules();
            }
            finally {
                spark.catalog().dropTempView(Verifier.PRIMARY_VIEW);
            }
        });
        assertThat(results).hasSize(RULES.size());
        List<RuleResult.Outcome> expected = List.copyOf(RULES.values());
        return IntStream.range(0, results.size()).mapToObj(i -> {
            RuleResult result = results.get(i);
            return DynamicTest.dynamicTest(result.rule(), () -> assertThat(result.outcome())
                    .as("%s: %s %s", result.rule(), result.message(), result.metrics())
                    .isEqualTo(expected.get(i)));
        });
    }
}
