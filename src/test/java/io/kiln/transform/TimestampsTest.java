package io.kiln.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import org.junit.jupiter.api.Test;

class TimestampsTest {
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
            assertThat(Timestamps.fast(text)).as(text).contains(expected);
            String local = time.toLocalDateTime().toString();
            if (local.length() >= 19) {
                assertThat(Timestamps.fast(local)).as(local).contains(LocalDateTime.parse(local).toInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS));
            }
        }
    }

    @Test
    void otherFormsGoThroughJavaTimeAndImpossibleOnesAreNotTimestamps() {
        assertThat(Timestamps.parse("2024-01-01T12:00Z")).contains(Instant.parse("2024-01-01T12:00:00Z"));
        assertThat(Timestamps.parse("+300000-01-01T00:00:00Z")).isEmpty();
        assertThat(Timestamps.parse("2024-02-30T00:00:00Z")).isEmpty();
        assertThat(Timestamps.parse("2024-03-01 12:00:00.1234567")).contains(Instant.parse("2024-03-01T12:00:00.123456Z"));
    }

    @Test
    void otherFormsAndImpossibleDatesAreLeftToTheSlowPath() {
        assertThat(Timestamps.fast("2024-02-30T00:00:00Z")).isEmpty();
        assertThat(Timestamps.fast("2024-01-01T24:00:00Z")).isEmpty();
        assertThat(Timestamps.fast("2024-01-01T12:00Z")).isEmpty();
        assertThat(Timestamps.fast("2024-01-01T12:00:00.Z")).isEmpty();
        assertThat(Timestamps.fast("2024-01-01T12:00:00+1")).isEmpty();
        assertThat(Timestamps.fast("noon")).isEmpty();
        assertThat(Timestamps.fast("2024-01-01T12:00:00+0130")).contains(Instant.parse("2024-01-01T10:30:00Z"));
        assertThat(Timestamps.fast("2024-01-01T12:00:00-05")).contains(Instant.parse("2024-01-01T17:00:00Z"));
        assertThat(Timestamps.fast("2024-01-01T12:00:00.1234567891Z")).isEmpty();
    }

    @Test
    void aDateParsesAsLocalDateParsesItOrFailsAsItDoes() {
        Random random = new Random(11);
        List<String> texts = new ArrayList<>(List.of("2024-02-29", "2023-02-29", "0000-01-01", "9999-12-31",
                "2024-00-10", "2024-13-01", "2024-04-31", "2024-4-01", "+12024-01-01", "2024-01-01T00:00", "2024/01/01", " 2024-01-01",
                "2024-01-0x", "-001-01-01", "２０２４-01-01", ""));
        for (int i = 0; i < 20_000; i++) {
            texts.add(String.format(Locale.ROOT, "%04d-%02d-%02d", random.nextInt(10_000), random.nextInt(14), random.nextInt(33)));
        }
        for (String text : texts) {
            LocalDate expected;
            try {
                expected = LocalDate.parse(text);
            }
            catch (DateTimeException e) {
                String shown = text;
                assertThatThrownBy(() -> Timestamps.parseDate(shown)).as(text).isInstanceOf(DateTimeException.class);
                continue;
            }
            assertThat(Timestamps.parseDate(text)).as(text).isEqualTo(expected);
        }
    }
}
