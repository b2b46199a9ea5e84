package io.kiln.lake;

import static org.apache.iceberg.types.Types.NestedField.required;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.Table;
import org.apache.iceberg.hadoop.HadoopTables;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdSegmentsTest {
    @TempDir
    Path temp;

    private Table table;

    @BeforeEach
    void createTable() {
        table = new HadoopTables(new Configuration()).create(new Schema(required(1, "id", Types.StringType.get())), PartitionSpec.unpartitioned(),
                SortOrder.unsorted(), Map.of(), temp.resolve("table").toUri().toString());
    }

    @Test
    void aBatchMeetsTheTableOnlyWhereTheyShareAHash() {
        Random random = new Random(7);
        long[] table1 = sorted(random, 5_000);
        long[] table2 = sorted(random, 3);
        String first = IdSegments.write(table, "id", "job-1", LongBuffer.wrap(table1)).get("kiln.id-segment.id");
        String second = IdSegments.write(table, "id", "job-2", LongBuffer.wrap(table2)).get("kiln.id-segment.id");
        long[] fresh = sorted(random, 20_000);

        assertThat(IdSegments.overlap(table, List.of(first, second), LongBuffer.wrap(fresh))).isEqualTo(new IdSegments.Overlap(2, 5_003, 0));

        long[] repeating = Arrays.copyOf(fresh, fresh.length + 2);
        repeating[fresh.length] = table1[4_321];
        repeating[fresh.length + 1] = table2[0];
        Arrays.sort(repeating);
        assertThat(IdSegments.overlap(table, List.of(first, second), LongBuffer.wrap(repeating)).sharedHashes()).isEqualTo(2);
        assertThat(IdSegments.overlap(table, List.of(), LongBuffer.wrap(repeating))).isEqualTo(new IdSegments.Overlap(0, 0, 0));
        assertThat(first).isEqualTo(table.location() + "/kiln-index/ids/id/job-1.seg");
    }

    @Test
    void lowerBoundGallopsToTheFirstHashNotBelowTheValue() {
        LongBuffer sorted = LongBuffer.wrap(new long[] {-9, -3, 0, 0, 4, 8, 15, 16, 23, 42});
        for (long value = -12; value <= 45; value++) {
            for (int from = 0; from <= sorted.limit(); from++) {
                int expected = from;
                while (expected < sorted.limit() && sorted.get(expected) < value) {
                    expected++;
                }
                assertThat(IdSegments.lowerBound(sorted, from, value)).as("value %d from %d", value, from).isEqualTo(expected);
            }
        }
    }

    @Test
    void theIndexIsCarriedForwardOnlyWhileItCoversEveryRow() {
        Map<String, String> staged = Map.of("kiln.id-segment.id", "s3://t/kiln-index/ids/id/job-2.seg");

        assertThat(IdSegments.carryForward(Optional.empty(), staged, Set.of("id"), Set.of()))
                .as("a first batch starts the index").containsExactly(Map.entry("kiln.id-index.id", "[\"s3://t/kiln-index/ids/id/job-2.seg\"]"));
        Map<String, String> indexed = Map.of("kiln.id-index.id", "[\"s3://t/kiln-index/ids/id/job-1.seg\"]");
        assertThat(IdSegments.carryForward(Optional.of(indexed), staged, Set.of("id"), Set.of("id")).get("kiln.id-index.id"))
                .isEqualTo("[\"s3://t/kiln-index/ids/id/job-1.seg\",\"s3://t/kiln-index/ids/id/job-2.seg\"]");

        assertThat(IdSegments.carryForward(Optional.of(Map.of()), staged, Set.of("id"), Set.of("id")))
                .as("a base without an index (a publish without the rule) ends it").isEmpty();
        assertThat(IdSegments.carryForward(Optional.of(indexed), Map.of(), Set.of("id"), Set.of("id")))
                .as("a batch without a segment (too many values to hash) ends it").isEmpty();
        assertThat(IdSegments.carryForward(Optional.of(indexed), staged, Set.of(), Set.of("id")))
                .as("a column not proved unique now").isEmpty();
        assertThat(IdSegments.carryForward(Optional.of(indexed), staged, Set.of("id"), Set.of()))
                .as("a base whose column is another one of that name").isEmpty();
    }

    @Test
    void aSegmentThatIsNotOneIsRefused() {
        String location = IdSegments.segmentLocation(table, "id", "job-9");
        try (var out = table.io().newOutputFile(location).createOrOverwrite()) {
            out.write(new byte[] {1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0});
        }
        catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThatThrownBy(() -> IdSegments.overlap(table, List.of(location), LongBuffer.wrap(new long[] {1})))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not an id index segment");
    }

    private static long[] sorted(Random random, int count) {
        long[] values = random.longs(count).toArray();
        Arrays.sort(values);
        return values;
    }
}
