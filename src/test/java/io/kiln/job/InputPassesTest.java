package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kiln.source.DocumentLimits;
import io.kiln.source.FieldMapping;
import io.kiln.source.InputFile;
import io.kiln.source.ReadOptions;
import io.kiln.source.SourceFormat;

/** How a pass cuts its records into batches: by count, and by the bytes the records hold. */
class InputPassesTest {
    @TempDir
    Path temp;

    @Test
    void aBatchEndsAtItsRecordCountOrOnceItsRecordsHoldBatchBytes() throws Exception {
        Path file = temp.resolve("in.jsonl");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            // every line 100 bytes long
            String line = "{\"id\":\"r" + i + "\",\"text\":\"" + "x".repeat(100 - 21) + "\"}";
            assertThat(line).hasSize(100);
            lines.append(line).append('\n');
        }
        Files.writeString(file, lines);
        assertThat(batchSizes(file, 1000, Long.MAX_VALUE)).containsExactly(10);
        assertThat(batchSizes(file, 4, Long.MAX_VALUE)).containsExactly(4, 4, 2);
        // 3 lines hold 300 bytes, at least 250: the batch ends there
        assertThat(batchSizes(file, 1000, 250)).containsExactly(3, 3, 3, 1);
        assertThat(batchSizes(file, 2, 250)).containsExactly(2, 2, 2, 2, 2);
        assertThat(batchSizes(file, 1000, 1)).containsExactly(1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    }

    private static List<Integer> batchSizes(Path file, int batchSize, long batchBytes) throws Exception {
        InputFile input = new InputFile(file.toUri().toString(), file, file.getFileName().toString(), Files.size(file));
        InputPlan plan = InputPlan.of(List.of(input), new JobProgress(), () -> false);
        InputPasses passes = new InputPasses(plan, SourceFormat.JSONL, ReadOptions.text(FieldMapping.DEFAULT, 1 << 20, DocumentLimits.defaults(1 << 20)),
                batchSize, batchBytes, 1, null, () -> false, Joins.NONE);
        List<Integer> sizes = new ArrayList<>();
        passes.pass(bytes -> {}, List::size, sizes::add);
        return sizes;
    }
}
