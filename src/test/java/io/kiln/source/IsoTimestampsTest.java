package io.kiln.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Random;

import org.junit.jupiter.api.Test;

class IsoTimestampsTest {
    @Test
    void theFastPathGivesWhatJavaTimeParsesForEveryCommonForm() {
        Random random = new Random(11);
        for (int i = 0; i < 20_000; i++) {
            long seconds = random.nextLong(-62_000_000_000L, 253_000_000_000L);
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            int offset = (i % 3 == 0) ? 0 : random.nextInt(-18 * 60, 18 * 60 + 1) * 60;
            OffsetDateTime time = OffsetDateTime.ofInstant(Instant.ofEpochSecond(seconds, nanos), ZoneOffset.ofTotalSeconds(offset));
            String text = time.toString().replace("T", i % 5 == 0 ? " " : "T");
            if (time.getSecond() == 0 && nanos == 0) {
                continue; // java.time prints no seconds then: not a fast form
            }
            Instant expected = OffsetDateTime.parse(text.replace(" ", "T")).toInstant().truncatedTo(ChronoUnit.MICROS);
            assertThat(IsoTimestamps.instant(text)).as(text).contains(expected);
            String local = time.toLocalDateTime().toString();
            if (local.length() >= 19) {
                assertThat(IsoTimestamps.instant(local)).as(local).contains(LocalDateTime.parse(local).toInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS));
            }
        }
    }

    @Test
    void otherFormsAndImpossibleDatesAreLeftToTheSlowPath() {
        assertThat(IsoTimestamps.instant("2024-02-30T00:00:00Z")).isEmpty();
        assertThat(IsoTimestamps.instant("2024-01-01T24:00:00Z")).isEmpty();
        assertThat(IsoTimestamps.instant("2024-01-01T12:00Z")).isEmpty();
        assertThat(IsoTimestamps.instant("2024-01-01T12:00:00.Z")).isEmpty();
        assertThat(IsoTimestamps.instant("2024-01-01T12:00:00+1")).isEmpty();
        assertThat(IsoTimestamps.instant("noon")).isEmpty();
        assertThat(IsoTimestamps.instant("2024-01-01T12:00:00+0130")).contains(Instant.parse("2024-01-01T10:30:00Z"));
        assertThat(IsoTimestamps.instant("2024-01-01T12:00:00-05")).contains(Instant.parse("2024-01-01T17:00:00Z"));
        assertThat(IsoTimestamps.instant("2024-01-01T12:00:00.1234567891Z")).isEmpty();
    }
}
